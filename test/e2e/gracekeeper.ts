// gracekeeper itself in the e2e suite: `gracekeeper serve` as a child process on loopback, with a
// certificate of its own, talking to the test control plane; and the real MutatingWebhookConfiguration
// of deploy/, pointed at it. Whatever ends the test process, the server is killed with the rest
// (it runs in a ProcessGroupSet, like the control plane's components).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from './cluster.js';
import { createServingPki, issueClientCert } from './pki.js';
import { ProcessGroupSet, tail, type Component } from './procs.js';
import { freePorts, waitFor } from './util.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');

/** One line of the server's JSON log (pino), as parsed. */
export type LogLine = Record<string, unknown>;

export interface StartOptions {
  /** The test cluster. */
  cp: ControlPlane;
  /** The kubeconfig the server uses (default: the admin's). */
  kubeconfigPath?: string;
  /** Contents of the --config file (cluster settings); none when undefined. */
  config?: string;
  /** Listen on this port (default: a free one). Reuse it to restart "the same" server. */
  port?: number;
  /** Extra flags, appended last. */
  args?: string[];
  /** A name for the temp dir and certificate CN (default "gracekeeper"). */
  name?: string;
}

export interface Gracekeeper {
  /** https://127.0.0.1:<port>/mutate */
  url: string;
  port: number;
  metricsPort: number;
  /** PEM of the CA of this instance's serving certificate (a new CA per instance). */
  caPem: string;
  dir: string;
  logPath: string;
  component: Component;
  /** The serving certificate and key it was started with (rewrite them to rotate). */
  certFile: string;
  keyFile: string;
  /** The server's JSON log lines so far (across restarts: one log file). */
  logLines(): LogLine[];
  /** Sends a signal to the server's process group (e.g. SIGKILL). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Starts the server again exactly as before (same port, certificate files, flags), as a kubelet
   * restarts a container, after it exited; resolves when /readyz answers 200 (over TLS verified
   * against its CA, unless `verifyTls` is false: say, to start on an expired certificate).
   * `component` follows.
   */
  restart(opts?: { verifyTls?: boolean }): Promise<void>;
  /** SIGTERM, waits for the exit (SIGKILL after 15 s); the exit code. Removes the temp dir. */
  stop(): Promise<number | string>;
}

/**
 * The command that runs `gracekeeper serve`: `node dist/cli.js serve` of this repository (so
 * `make build` first; `make e2e` does), or GRACEKEEPER_E2E_SERVE, a command line split on spaces,
 * to test another build of the same CLI.
 */
function serveCommand(): [string, string[]] {
  const override = process.env.GRACEKEEPER_E2E_SERVE?.trim();
  if (override) {
    const [cmd, ...args] = override.split(/\s+/);
    return [cmd, args];
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`make build\` (or \`make e2e\`) first`);
  return [process.execPath, [CLI, 'serve']];
}

export async function startGracekeeper(opts: StartOptions): Promise<Gracekeeper> {
  const name = opts.name ?? 'gracekeeper';
  const dir = await mkdtemp(join(tmpdir(), `gracekeeper-e2e-${name}-`));
  const procs = new ProcessGroupSet(dir, process.env.GRACEKEEPER_E2E_KEEP === '1');
  try {
    const pkiDir = join(dir, 'pki');
    await mkdir(pkiDir);
    const pki = await createServingPki(pkiDir, name);
    const caPem = readFileSync(pki.ca.certPath, 'utf8');
    const [freePort, metricsPort] = await freePorts(2);
    const port = opts.port ?? freePort;
    const args = [
      `--port=${port}`,
      `--metrics-port=${metricsPort}`,
      `--tls-cert-file=${pki.serving.certPath}`,
      `--tls-key-file=${pki.serving.keyPath}`,
      `--kubeconfig=${opts.kubeconfigPath ?? opts.cp.kubeconfigPath}`,
      // No load balancer to drain here: stop at once. In-flight admissions take milliseconds;
      // the bound only matters if a connection is left open (it then costs that long).
      '--shutdown-delay=0s',
      '--shutdown-timeout=5s',
    ];
    if (opts.config !== undefined) {
      const configPath = join(dir, 'config.yaml');
      await writeFile(configPath, opts.config);
      args.push(`--config=${configPath}`);
    }
    args.push(...(opts.args ?? []));
    const [cmd, cmdArgs] = serveCommand();
    const component = procs.start(name, cmd, [...cmdArgs, ...args], {
      ...process.env,
      NODE_ENV: 'production',
    });
    const ready = (c: Component, verifyTls = true) =>
      waitFor(
        `${name} /readyz`,
        30_000,
        () => [c],
        async () => (await getStatus(`https://127.0.0.1:${port}/readyz`, verifyTls ? caPem : undefined)) === 200,
      );
    await ready(component);
    let stopped: Promise<number | string> | undefined;
    const handle: Gracekeeper = {
      url: `https://127.0.0.1:${port}/mutate`,
      port,
      metricsPort: metricsPort,
      caPem,
      dir,
      logPath: component.logPath,
      component,
      certFile: pki.serving.certPath,
      keyFile: pki.serving.keyPath,
      logLines: () => parseLog(component.logPath),
      signal: (sig) => procs.signal(name, sig),
      restart: async (o = {}) => {
        handle.component = procs.restart(name);
        await ready(handle.component, o.verifyTls);
      },
      stop: () =>
        (stopped ??= (async () => {
          await procs.stop(15_000);
          return handle.component.exited;
        })()),
    };
    return handle;
  } catch (err) {
    const logs = procs.all.map((c) => `--- ${c.name} log:\n${tail(c.logPath)}`).join('\n');
    await procs.stop(1000);
    throw new Error(`gracekeeper failed to start: ${(err as Error).message}\n${logs}`, { cause: err });
  }
}

/**
 * gracekeeper's log line for its admission of the object `name`, waited for: lines reach the file
 * in batches, at most 200 ms late (src/runtime/logger.ts). Undefined when none came within `ms`.
 */
export async function admissionLine(gk: Pick<Gracekeeper, 'logLines'>, name: string, ms = 2000): Promise<LogLine | undefined> {
  for (const until = Date.now() + ms; ;) {
    const line = gk.logLines().find((l) => l.msg === 'admission' && l.name === name);
    if (line || Date.now() > until) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function parseLog(path: string): LogLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** The HTTP status of a GET over TLS verified against `ca`, or not verified without one (0 when the connection fails). */
export function getStatus(url: string, ca: string | undefined): Promise<number> {
  return new Promise((resolveStatus) => {
    const tls = ca === undefined ? { rejectUnauthorized: false } : { ca };
    const req = request(url, { ...tls, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolveStatus(0));
    req.end();
  });
}

/** The kustomize base the suite installs from (GRACEKEEPER_E2E_DEPLOY_DIR overrides, e.g. an overlay). */
export function deployDir(): string {
  return process.env.GRACEKEEPER_E2E_DEPLOY_DIR ?? join(REPO_ROOT, 'deploy');
}

export type Manifest = Record<string, unknown> & {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
};

/** `kubectl kustomize deploy/`, every document. */
export async function renderDeploy(cp: ControlPlane): Promise<Manifest[]> {
  const dir = deployDir();
  if (!existsSync(join(dir, 'kustomization.yaml')) && !existsSync(join(dir, 'kustomization.yml'))) {
    throw new Error(`${dir} has no kustomization: the e2e suite installs the real webhook configuration`);
  }
  const { stdout } = await cp.kubectl(['kustomize', dir]);
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Manifest)
    .filter((d) => d && d.kind);
}

export interface WebhookConfiguration extends Manifest {
  webhooks: { name: string; clientConfig: Record<string, unknown>; [k: string]: unknown }[];
}

/**
 * The MutatingWebhookConfiguration of deploy/ with only each webhook's clientConfig changed: to
 * `url` and the base64 `caBundle` of `caPem`. Everything else (rules, selectors, failure policy,
 * timeouts, reinvocation) is exactly as shipped.
 */
export function pointWebhookAt(docs: Manifest[], url: string, caPem: string): WebhookConfiguration {
  const found = docs.filter((d) => d.kind === 'MutatingWebhookConfiguration');
  if (found.length !== 1) {
    throw new Error(`expected one MutatingWebhookConfiguration in ${deployDir()}, found ${found.length}`);
  }
  const mwc = structuredClone(found[0]) as WebhookConfiguration;
  delete (mwc.metadata as Record<string, unknown>).annotations; // e.g. cert-manager's inject-ca-from
  for (const webhook of mwc.webhooks) {
    webhook.clientConfig = { url, caBundle: Buffer.from(caPem).toString('base64') };
  }
  return mwc;
}

/** The cluster settings file deploy/ ships (the YAML value of its ConfigMap), if any. */
export function shippedConfig(docs: Manifest[]): string | undefined {
  for (const d of docs) {
    if (d.kind !== 'ConfigMap') continue;
    const data = (d as { data?: Record<string, string> }).data ?? {};
    const key = Object.keys(data).find((k) => /\.ya?ml$/.test(k));
    if (key) return data[key];
  }
  return undefined;
}

/**
 * A kubeconfig that authenticates as the service account `namespace/name` (a client certificate
 * whose CN is the service account's user name, which RBAC matches as that ServiceAccount), so
 * the server runs with exactly the permissions deploy/ grants it.
 */
/** One sample of a gracekeeper's /metrics (its name with labels, as exposed, e.g. 'gracekeeper_traffic_objects{resource="services"}'); NaN when absent. */
export async function metricSample(metricsPort: number, sample: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? Number.NaN : Number(line.slice(sample.length + 1));
}

export async function serviceAccountKubeconfig(cp: ControlPlane, namespace: string, name: string): Promise<string> {
  const user = `system:serviceaccount:${namespace}:${name}`;
  const pair = await issueClientCert(cp.pki.dir, cp.pki.ca, `sa-${namespace}-${name}`, user, [
    'system:serviceaccounts',
    `system:serviceaccounts:${namespace}`,
  ]);
  const b64 = (p: string): string => readFileSync(p).toString('base64');
  const path = join(cp.dir, `sa-${namespace}-${name}.kubeconfig`);
  await writeFile(
    path,
    JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'e2e', cluster: { server: cp.server, 'certificate-authority-data': b64(cp.pki.ca.certPath) } }],
        users: [{ name: user, user: { 'client-certificate-data': b64(pair.certPath), 'client-key-data': b64(pair.keyPath) } }],
        contexts: [{ name: 'e2e', context: { cluster: 'e2e', user } }],
        'current-context': 'e2e',
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  return path;
}

/** The ServiceAccount deploy/ runs the server as. */
export function shippedServiceAccount(docs: Manifest[]): { namespace: string; name: string } {
  const sa = docs.filter((d) => d.kind === 'ServiceAccount');
  if (sa.length !== 1) throw new Error(`expected one ServiceAccount in ${deployDir()}, found ${sa.length}`);
  const meta = sa[0]?.metadata ?? {};
  if (!meta.name || !meta.namespace) throw new Error('the ServiceAccount of deploy/ has no name or namespace');
  return { namespace: meta.namespace, name: meta.name };
}
