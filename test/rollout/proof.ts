// `make rollout-proof`: does a rolling update drop requests, without gracekeeper and with it?
//
// On a real single-node cluster built on this machine (test/e2e/cluster.ts's control plane plus
// test/rollout/node.ts's kubelet, containerd, kube-proxy and kube-scheduler), the same Deployment
// of a test app (3 replicas behind a ClusterIP Service) runs in two namespaces: `rollout-without`
// and `rollout-with`, the latter labelled gracekeeper.io/inject=enabled, with gracekeeper serving
// on loopback behind deploy/'s MutatingWebhookConfiguration and its shipped (default) settings.
// Each run: a steady load through the Service from inside the node, two `kubectl rollout restart`s
// each waited for with `kubectl rollout status`, then until the old pods are gone; every failed
// request counted by type. Runs alternate between the namespaces. Writes bench/rollout.json and
// prints a table. Exit status: 0 done, 2 bad arguments, 3 this machine cannot host a node.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from '../e2e/cluster.js';
import {
  pointWebhookAt,
  renderDeploy,
  serviceAccountKubeconfig,
  shippedConfig,
  shippedServiceAccount,
  startGracekeeper,
  type Gracekeeper,
} from '../e2e/gracekeeper.js';
import type { LoadResult } from './loadgen.js';
import { APP_IMAGE, nodePrerequisiteProblem, startNode, type Node } from './node.js';
import { formatTable, parseProofArgs, summarize, type Mode, type ProofOptions, type RunEvent, type RunRecord } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '..', '..');
const NS: Record<Mode, string> = { without: 'rollout-without', with: 'rollout-with' };
const APP = 'web';

const log = (m: string): void => {
  process.stderr.write(`rollout-proof ${new Date().toISOString().slice(11, 19)} ${m}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The test app as a team would write it: no probe, no preStop, the default grace period. */
function manifests(ns: string, replicas: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: APP, namespace: ns },
        spec: {
          replicas,
          selector: { matchLabels: { app: APP } },
          template: {
            metadata: { labels: { app: APP } },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              containers: [
                {
                  name: 'app',
                  image: APP_IMAGE,
                  imagePullPolicy: 'Never',
                  ports: [{ name: 'http', containerPort: 8080 }],
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: APP, namespace: ns },
        spec: { selector: { app: APP }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ],
  };
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string> };
    spec: { terminationGracePeriodSeconds?: number; containers: Record<string, unknown>[] };
    status?: { phase?: string; conditions?: { type: string; status: string }[] };
  }[];
}

async function pods(cp: ControlPlane, ns: string): Promise<PodList['items']> {
  const { status, body, text } = await cp.api<PodList>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${APP}`);
  if (status !== 200) throw new Error(`list pods in ${ns}: ${status} ${text.slice(0, 200)}`);
  return body.items;
}

/** Until `replicas` ready pods, none terminating, and as many ready endpoints in the Service. */
async function waitSettled(cp: ControlPlane, ns: string, replicas: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ps = await pods(cp, ns);
    const ready = ps.filter(
      (p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    const { body } = await cp.api<{ items: { endpoints?: { conditions?: { ready?: boolean } }[] }[] }>(
      'GET',
      `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${APP}`,
    );
    const eps = body.items.flatMap((s) => s.endpoints ?? []);
    if (
      ps.length === replicas &&
      ready.length === replicas &&
      eps.length === replicas &&
      eps.every((e) => e.conditions?.ready === true)
    )
      return;
    if (Date.now() > deadline) {
      throw new Error(
        `${ns}: not settled after ${timeoutMs} ms: ${ps.length} pods, ${ready.length} ready, ` + `${eps.length} endpoints`,
      );
    }
    await sleep(500);
  }
}

/** The pod spec fields gracekeeper is about, as stored, for the record. */
function shutdownFields(p: PodList['items'][number]): Record<string, unknown> {
  const c = p.spec.containers[0] ?? {};
  return {
    terminationGracePeriodSeconds: p.spec.terminationGracePeriodSeconds,
    lifecycle: c.lifecycle ?? null,
    readinessProbe: c.readinessProbe ?? null,
    injected: p.metadata.annotations?.['gracekeeper.io/injected'] !== undefined,
  };
}

interface LoadProcess {
  started: Promise<void>;
  stop(): Promise<LoadResult>;
}

function startLoad(node: Node, url: string, o: ProofOptions, outFile: string): LoadProcess {
  const argv = node.inNode([
    process.execPath,
    '--import',
    'tsx',
    join(here, 'loadgen.ts'),
    `--url=${url}`,
    `--rate=${o.rate}`,
    `--timeout=${o.timeoutMs}ms`,
    '--expect-body=ok',
    `--out=${outFile}`,
  ]);
  const child = spawn(argv[0], argv.slice(1), { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const started = new Promise<void>((resolveStart, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('loadgen: started')) resolveStart();
    });
    void exited.then((code) => reject(new Error(`loadgen exited (${code}) before starting: ${stderr}`)));
  });
  started.catch(() => {});
  return {
    started,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`loadgen exited ${code}: ${stderr}`);
      return JSON.parse(readFileSync(outFile, 'utf8')) as LoadResult;
    },
  };
}

async function flushConntrack(node: Node, ip: string): Promise<{ total: number; synSent: number }> {
  const listed = await node.execInNetns(['sh', '-c', `conntrack -L -p tcp -d ${ip} 2>/dev/null || true`]);
  const lines = listed.split('\n').filter((l) => l.includes(`dst=${ip}`));
  await node.execInNetns(['sh', '-c', `conntrack -D -p tcp -d ${ip} >/dev/null 2>&1 || true`]);
  return { total: lines.length, synSent: lines.filter((l) => /\bSYN_SENT\b/.test(l)).length };
}

async function runOnce(
  cp: ControlPlane,
  node: Node,
  mode: Mode,
  run: number,
  clusterIp: string,
  o: ProofOptions,
  workDir: string,
): Promise<RunRecord> {
  const ns = NS[mode];
  await waitSettled(cp, ns, o.replicas);
  await sleep(4000); // kube-proxy has synced the settled endpoints (minSyncPeriod 3 s)
  // Runs must not inherit each other's conntrack entries: a connection of an earlier run that
  // timed out against a pod that is gone leaves a SYN_SENT entry (120 s), and a new connection
  // that happens to reuse its source port would follow it to the dead pod instead of being
  // balanced afresh. Count them (for the record), then drop every entry for the Service's IP.
  const stale = await flushConntrack(node, clusterIp);
  const load = startLoad(node, `http://${clusterIp}/`, o, join(workDir, `load-${mode}-${run}.json`));
  await load.started;
  const t0 = Date.now();
  const events: RunEvent[] = [];
  const at = (what: string): void => {
    events.push({ t: Date.now() - t0, what });
  };
  try {
    await sleep(o.warmupMs);
    for (let i = 1; i <= o.restarts; i++) {
      at(`restart ${i}`);
      await cp.kubectl(['-n', ns, 'rollout', 'restart', `deployment/${APP}`]);
      await cp.kubectl(['-n', ns, 'rollout', 'status', `deployment/${APP}`, '--timeout=300s'], { timeoutMs: 320_000 });
      at(`rollout status ${i} done`);
    }
    // Until the old pods have gone (their preStop and shutdown happen under load too), then a
    // little more for kube-proxy to have synced.
    await waitSettled(cp, ns, o.replicas);
    at('old pods gone');
    await sleep(4000);
  } finally {
    at('load stopped');
  }
  const result = await load.stop();
  // Re-base the events on the load generator's first request.
  const shift = t0 - result.startedAt;
  return {
    mode,
    run,
    load: result,
    events: events.map((e) => ({ t: e.t + shift, what: e.what })),
    conntrackFlushed: stale,
  };
}

function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  let o: ProofOptions;
  try {
    o = parseProofArgs(argv);
  } catch (err) {
    process.stderr.write(`rollout-proof: ${(err as Error).message}\n`);
    return 2;
  }
  const problem = nodePrerequisiteProblem();
  if (problem) {
    process.stderr.write(`rollout-proof: blocked: this machine cannot host a node: ${problem}\n`);
    return 3;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'gk-rollout-proof-'));
  let cp: ControlPlane | undefined;
  let node: Node | undefined;
  let gk: Gracekeeper | undefined;
  const t0 = Date.now();
  try {
    log('starting the control plane');
    cp = await startControlPlane({ keepDir: o.keep });
    log(`control plane up (${cp.server}); starting the node`);
    node = await startNode(cp, { iptablesMinSyncPeriod: o.minSyncPeriod, keepDir: o.keep, log });

    // gracekeeper, installed from deploy/ as the e2e suite does (minus its own Deployment, whose
    // image does not exist here): Namespace, RBAC, ConfigMap; then the server on loopback as
    // deploy/'s ServiceAccount with the shipped settings; then the webhook configuration.
    const docs = await renderDeploy(cp);
    const skipKinds = new Set(['MutatingWebhookConfiguration', 'Deployment', 'Service', 'PodDisruptionBudget']);
    await cp.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs.filter((d) => !skipKinds.has(d.kind ?? '')) }),
    });
    const sa = shippedServiceAccount(docs);
    const config = shippedConfig(docs);
    gk = await startGracekeeper({
      cp,
      name: 'gracekeeper',
      config,
      args: [`--namespace=${sa.namespace}`],
      kubeconfigPath: await serviceAccountKubeconfig(cp, sa.namespace, sa.name),
    });
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pointWebhookAt(docs, gk.url, gk.caPem)) });
    log(`gracekeeper serving on ${gk.url}, webhook installed`);

    await cp.kubectl(['create', 'namespace', NS.without]);
    await cp.kubectl(['create', 'namespace', NS.with]);
    await cp.kubectl(['label', 'namespace', NS.with, 'gracekeeper.io/inject=enabled']);
    const annotations = Object.entries(o.withAnnotations).map(([k, v]) => `${k}=${v}`);
    if (annotations.length) await cp.kubectl(['annotate', 'namespace', NS.with, ...annotations]);
    const clusterIps = {} as Record<Mode, string>;
    const injected = {} as Record<Mode, Record<string, unknown>>;
    for (const mode of o.modes) {
      const ns = NS[mode];
      // The webhook may take a moment to be called for a new namespace: retry until mutated.
      for (let attempt = 0; ; attempt++) {
        await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifests(ns, o.replicas)) });
        await cp.kubectl(['-n', ns, 'rollout', 'status', `deployment/${APP}`, '--timeout=180s'], { timeoutMs: 200_000 });
        await waitSettled(cp, ns, o.replicas);
        const first = (await pods(cp, ns))[0];
        if (!first) throw new Error(`${ns}: no pod`);
        injected[mode] = shutdownFields(first);
        if (mode === 'without' && injected[mode].injected)
          throw new Error(`${ns}: gracekeeper mutated a pod in a namespace without the label`);
        if (mode === 'without' || injected[mode].injected) break;
        if (attempt >= 2) throw new Error(`${ns}: gracekeeper did not mutate the pods: ${JSON.stringify(injected[mode])}`);
        log(`${ns}: pods not mutated yet; recreating the Deployment`);
        await cp.kubectl(['-n', ns, 'delete', 'deployment', APP, '--wait=true']);
      }
      clusterIps[mode] = (await cp.kubectl(['-n', ns, 'get', 'service', APP, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
      log(`${ns}: ${o.replicas} pods ready behind ${clusterIps[mode]}:80; pod spec: ${JSON.stringify(injected[mode])}`);
    }

    const records: RunRecord[] = [];
    for (let run = 1; run <= o.runs; run++) {
      for (const mode of o.modes) {
        log(`run ${run}/${o.runs} ${mode}: ${o.rate} req/s through ${clusterIps[mode]}, ${o.restarts} rollout restarts`);
        const rec = await runOnce(cp, node, mode, run, clusterIps[mode], o, workDir);
        records.push(rec);
        const l = rec.load;
        log(
          `run ${run} ${mode}: ${l.requests} requests, ${l.failed} failed ${JSON.stringify(l.byType)}` +
            `${Object.keys(l.otherCodes).length ? ` other: ${JSON.stringify(l.otherCodes)}` : ''}`,
        );
      }
    }

    const conditions = {
      date: new Date().toISOString(),
      durationS: Math.round((Date.now() - t0) / 1000),
      machine: { cpus: cpus().length, kernel: release(), cgroup: 'v1 (cgroupfs driver)' },
      kubernetes: versionOf(cp.binaries.kubelet, ['--version']),
      containerd: versionOf('containerd', ['--version']),
      runc: versionOf('runc', ['--version']),
      kubeProxy: { mode: 'iptables', minSyncPeriod: o.minSyncPeriod, syncPeriod: '30s' },
      cni: 'bridge + host-local (Debian containernetworking-plugins)',
      app:
        'busybox httpd on :8080 started after `sleep 3`; exits at once on SIGTERM; 3 replicas; ' +
        'RollingUpdate maxSurge 25% maxUnavailable 25% (1 and 0); ClusterIP Service port 80',
      load: {
        rate: o.rate,
        timeoutMs: o.timeoutMs,
        connection: 'a new TCP connection per request, from the node',
        warmupMs: o.warmupMs,
        restartsPerRun: o.restarts,
        runsPerMode: o.runs,
        window: 'from before the first restart until the old pods of the last one are gone, +4 s',
      },
      gracekeeper: {
        settings: 'deploy/base/config.yaml as shipped (the defaults)',
        namespaceAnnotations: o.withAnnotations,
        podSpec: injected,
      },
    };
    const summary = summarize(records, conditions);
    const out = resolve(REPO, o.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`\n${formatTable(summary)}\n\nwritten to ${o.out}\n`);
    return 0;
  } finally {
    await gk?.stop().catch(() => {});
    await node?.stop().catch((e: unknown) => log(`node stop: ${(e as Error).message}`));
    await cp?.stop().catch(() => {});
    if (!o.keep) execFileSync('rm', ['-rf', workDir]);
    else log(`kept ${workDir}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`rollout-proof: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
