// A real, throw-away Kubernetes control plane for the e2e suite: etcd, kube-apiserver and
// kube-controller-manager on free loopback ports, with their own PKI, in a temp dir that stop()
// (or the process's exit, whatever the cause) removes. No scheduler or kubelet: Pods stay Pending,
// which is all an admission webhook needs. Binaries come from the cache of build-k8s.sh.
import { mkdtemp, writeFile, readFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, type Binaries } from './ensure-binaries.js';
import { createPki, type ControlPlanePki } from './pki.js';
import { ProcessGroupSet, tail, type Component } from './procs.js';
import { apiRequest, freePorts, runKubectl, waitFor, type ApiResult } from './util.js';
import type { KubectlOptions, KubectlResult } from './util.js';

export type { KubectlOptions, KubectlResult, ApiResult } from './util.js';

export interface ControlPlaneOptions {
  /** Start kube-controller-manager (default true); without it nothing creates Pods. */
  controllerManager?: boolean;
  /** Extra flags, appended last (so they win), e.g. ["--feature-gates=..."]. */
  apiserverArgs?: string[];
  controllerManagerArgs?: string[];
  /** How long to wait for /readyz and the default service account (default 120 s). */
  startTimeoutMs?: number;
  /** Keep the temp dir (logs, certs, etcd data) after stop(); default: env GRACEKEEPER_E2E_KEEP=1. */
  keepDir?: boolean;
  /** Progress messages (default: stderr when env GRACEKEEPER_E2E_VERBOSE=1). */
  log?: (message: string) => void;
}

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager';

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in group system:masters), self-contained. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** PEM of the CA that signed the API server's certificate (and every client certificate). */
  caPem: string;
  /** The temp dir: logs (<component>.log), certificates, etcd data. */
  dir: string;
  pki: ControlPlanePki;
  binaries: Binaries;
  components: readonly Component[];
  /** The detached shell that kills the components if this process dies by SIGKILL. */
  watchdogPid: number;
  /** Wall-clock milliseconds from the first process started to the default service account. */
  startupMs: number;
  /** http://127.0.0.1:<port>: etcd's client URL (plain HTTP, no authentication), e.g. for its v3 JSON API. */
  etcdUrl: string;
  /** Sends a signal to a component's process group (SIGKILL, SIGSTOP, SIGCONT, ...). */
  signal(component: ComponentName, signal: NodeJS.Signals): void;
  /** SIGKILL to a component; resolves once it has exited. */
  kill(component: ComponentName): Promise<void>;
  /**
   * Starts a component again with its first command line (plus `extraArgs`, which win), after it
   * exited (kill it first); resolves when it serves again (the API server's /readyz). cp.components
   * then holds the new process.
   */
  restart(component: ComponentName, extraArgs?: string[]): Promise<Component>;
  /**
   * One more kube-apiserver on the same etcd (its own port; the same flags, certificates and
   * service account keys), as in a control plane with several: for changes while the first is down.
   * Resolves once it is ready; stop() ends it with the rest.
   */
  addApiserver(): Promise<{ server: string; api: ControlPlane['api']; component: Component }>;
  /** Runs the cached kubectl against this control plane; throws on a non-zero exit by default. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** A raw API request as the admin user; `body` is sent as JSON. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResult<T>>;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const SERVICE_CIDR = '10.0.0.0/24';
const SERVICE_IP = '10.0.0.1';

function kubeconfig(server: string, user: string, pem: { ca: string; cert: string; key: string }): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const name = 'gracekeeper-e2e';
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(pem.ca) } }],
      users: [
        {
          name: user,
          user: {
            'client-certificate-data': b64(pem.cert),
            'client-key-data': b64(pem.key),
          },
        },
      ],
      contexts: [{ name, context: { cluster: name, user, namespace: 'default' } }],
      'current-context': name,
    },
    null,
    2,
  )}\n`;
}

async function writeKubeconfig(
  path: string,
  server: string,
  pki: ControlPlanePki,
  user: 'admin' | 'controllerManager',
): Promise<void> {
  const pair = pki[user];
  const [ca, cert, key] = await Promise.all([
    readFile(pki.ca.certPath, 'utf8'),
    readFile(pair.certPath, 'utf8'),
    readFile(pair.keyPath, 'utf8'),
  ]);
  await writeFile(path, kubeconfig(server, user, { ca, cert, key }), { mode: 0o600 });
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log =
    opts.log ?? (process.env.GRACEKEEPER_E2E_VERBOSE === '1' ? (m: string) => process.stderr.write(`e2e: ${m}\n`) : () => {});
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  const binaries = await ensureBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'gracekeeper-e2e-'));
  const procs = new ProcessGroupSet(dir, opts.keepDir ?? process.env.GRACEKEEPER_E2E_KEEP === '1');
  try {
    const pki = await createPki(await mkdirp(join(dir, 'pki')), SERVICE_IP);
    const [etcdClient, etcdPeer, apiPort, kcmPort] = await freePorts(4);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    const kcmKubeconfig = join(dir, 'controller-manager.kubeconfig');
    await writeKubeconfig(kubeconfigPath, server, pki, 'admin');
    await writeKubeconfig(kcmKubeconfig, server, pki, 'controllerManager');
    const caPem = await readFile(pki.ca.certPath, 'utf8');
    const tls = {
      ca: caPem,
      cert: await readFile(pki.admin.certPath, 'utf8'),
      key: await readFile(pki.admin.keyPath, 'utf8'),
    };
    const api = <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> =>
      apiRequest<T>(server, tls, method, path, body);

    const t0 = Date.now();
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    procs.start('etcd', binaries.etcd, [
      '--name=e2e',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=e2e=${peerUrl}`,
      '--log-level=warn',
      '--unsafe-no-fsync=true', // a test cluster: durability buys nothing, fsync costs seconds
    ]);
    // The API server retries etcd by itself, so both start at once.
    const apiserverArgs = (port: number, certDir: string): string[] => [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${pki.apiserver.certPath}`,
      `--tls-private-key-file=${pki.apiserver.keyPath}`,
      `--client-ca-file=${pki.ca.certPath}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPubPath}`,
      `--service-account-signing-key-file=${pki.serviceAccountKeyPath}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      // Endpoints may not hold a loopback address, and no Pod here could reach it anyway.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      ...(opts.apiserverArgs ?? []),
    ];
    procs.start('kube-apiserver', binaries.kubeApiserver, apiserverArgs(apiPort, join(dir, 'apiserver')));
    const components = (): Component[] => [...procs.all];
    log(`waiting for ${server}/readyz`);
    await waitFor(
      'kube-apiserver /readyz',
      timeoutMs - (Date.now() - t0),
      components,
      async () => (await api('GET', '/readyz').catch(() => undefined))?.status === 200,
    );
    log(`kube-apiserver ready after ${Date.now() - t0} ms`);

    if (opts.controllerManager ?? true) {
      procs.start('kube-controller-manager', binaries.kubeControllerManager, [
        // No --authentication/authorization-kubeconfig: nothing but /healthz is asked of it, and
        // without a front proxy they only log errors about a missing requestheader CA.
        `--kubeconfig=${kcmKubeconfig}`,
        // It starts its ~40 controllers one after another, each making a service account and
        // token; the default 20 QPS client limit would spread that over ~5 s.
        '--kube-api-qps=200',
        '--kube-api-burst=400',
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${join(dir, 'kcm')}`,
        `--service-account-private-key-file=${pki.serviceAccountKeyPath}`,
        `--root-ca-file=${pki.ca.certPath}`,
        '--use-service-account-credentials=true',
        `--cluster-signing-cert-file=${pki.ca.certPath}`,
        `--cluster-signing-key-file=${pki.ca.keyPath}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--leader-elect=false',
        '--profiling=false',
        ...(opts.controllerManagerArgs ?? []),
      ]);
      await waitFor(
        'the default service account',
        timeoutMs - (Date.now() - t0),
        components,
        async () => (await api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      );
    } else {
      await waitFor(
        'the default namespace',
        timeoutMs - (Date.now() - t0),
        components,
        async () => (await api('GET', '/api/v1/namespaces/default')).status === 200,
      );
    }
    const startupMs = Date.now() - t0;
    log(`control plane up in ${startupMs} ms (${dir})`);

    let stopped: Promise<void> | undefined;
    return {
      kubeconfigPath,
      server,
      caPem,
      dir,
      pki,
      binaries,
      startupMs,
      components: procs.all,
      watchdogPid: procs.watchdogPid,
      etcdUrl,
      signal: (name, sig) => procs.signal(name, sig),
      kill: async (name) => {
        procs.signal(name, 'SIGKILL');
        await procs.get(name).exited;
      },
      restart: async (name, extraArgs = []) => {
        const c = procs.restart(name, extraArgs);
        const ready =
          name === 'kube-apiserver'
            ? async () => (await api('GET', '/readyz').catch(() => undefined))?.status === 200
            : name === 'etcd'
              ? async () => (await fetch(`${etcdUrl}/health`).catch(() => undefined))?.ok === true
              : () => Promise.resolve(true);
        await waitFor(`${name} to serve again`, timeoutMs, components, ready);
        return c;
      },
      addApiserver: async () => {
        const [port] = await freePorts(1);
        const name = `kube-apiserver-${procs.all.length}`;
        const component = procs.start(name, binaries.kubeApiserver, apiserverArgs(port, await mkdirp(join(dir, name))));
        const url = `https://127.0.0.1:${port}`;
        const api2 = <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> =>
          apiRequest<T>(url, tls, method, path, body);
        await waitFor(
          `${name} /readyz`,
          timeoutMs,
          () => [component],
          async () => (await api2('GET', '/readyz').catch(() => undefined))?.status === 200,
        );
        return { server: url, api: api2, component };
      },
      kubectl: (args, o) => runKubectl(binaries.kubectl, kubeconfigPath, args, o),
      api,
      stop: () => (stopped ??= procs.stop()),
    };
  } catch (err) {
    const logs = procs.all.map((c) => `--- ${c.name} (pid ${c.pid}) ${c.logPath}, last lines:\n${tail(c.logPath)}`).join('\n');
    await procs.stop(1000);
    throw new Error(`e2e control plane failed to start: ${(err as Error).message}\n${logs}`, { cause: err });
  }
}

async function mkdirp(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}
