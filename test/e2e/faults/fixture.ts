// The fault scenarios' cluster: a real control plane with deploy/ installed, `gracekeeper serve`
// running as deploy/'s ServiceAccount behind the shipped MutatingWebhookConfiguration, and the
// probes the scenarios take of it: AdmissionReviews sent straight to its HTTPS port (what its
// cache says about a namespace, and how long it took), its metrics and the API server's log.
import { readFileSync } from 'node:fs';
import { apiRequest, type ApiResult } from '../util.js';
import { Agent, request } from 'node:https';
import type { ControlPlane, ControlPlaneOptions } from '../cluster.js';
import { metricSample, type Gracekeeper } from '../gracekeeper.js';
import { startWebhookEnv } from '../setup.js';
import { eventually, Kube, recordOf, type Obj } from '../kube.js';

export interface FaultCluster {
  cp: ControlPlane;
  kube: Kube;
  gk: Gracekeeper;
  /** Straight to gracekeeper's HTTPS port, over kept-alive connections. */
  direct: DirectClient;
  stop(): Promise<void>;
}

/** The e2e suite's usual setting (setup.ts), with one gracekeeper in use and a client straight to it. */
export async function faultCluster(opts: ControlPlaneOptions = {}, gkArgs: string[] = []): Promise<FaultCluster> {
  const env = await startWebhookEnv(opts);
  try {
    const gk = await env.start('gracekeeper', {}, undefined, gkArgs);
    await env.use(gk);
    const direct = new DirectClient(gk);
    return {
      cp: env.cp,
      kube: env.kube,
      gk,
      direct,
      stop: async () => {
        direct.close();
        await env.stop();
      },
    };
  } catch (err) {
    await env.stop();
    throw err;
  }
}

/** A Pod with one container that has a TCP port: gracekeeper adds a preStop hook and a probe. */
export function podObject(name: string, ns: string, annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, annotations },
    spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', ports: [{ containerPort: 8080 }] }] },
  };
}

/** An API request as the admin that waits up to `timeoutMs` (cp.api gives up after 10 s). */
export function patientApi<T>(
  cp: ControlPlane,
  timeoutMs: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const tls = {
    ca: cp.caPem,
    cert: readFileSync(cp.pki.admin.certPath, 'utf8'),
    key: readFileSync(cp.pki.admin.keyPath, 'utf8'),
  };
  return apiRequest<T>(cp.server, tls, method, path, body, timeoutMs);
}

/** A server-side dry-run Pod CREATE through the API server: whether gracekeeper mutated it. */
export async function dryRunMutated(cp: ControlPlane, ns: string): Promise<boolean> {
  const res = await cp.api<Obj>('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, podObject('probe', ns));
  if (res.status !== 201) throw new Error(`dry-run Pod: ${res.status} ${res.text.slice(0, 300)}`);
  return recordOf(res.body.metadata) !== undefined;
}

export interface DirectAnswer {
  status: number;
  ms: number;
  /** The preStop sleep the patch writes into the container (the namespace's setting), if any. */
  preStopSleep?: number;
  error?: string;
}

let uidSeq = 0;

/** AdmissionReviews of a Pod CREATE sent to gracekeeper itself, as the API server would send them. */
export class DirectClient {
  private readonly agent: Agent;

  constructor(
    private readonly gk: Gracekeeper,
    maxSockets = 8,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, ca: gk.caPem });
  }

  review(ns: string, timeoutMs = 10_000): Promise<DirectAnswer> {
    const uid = `00000000-0000-4000-8000-${(++uidSeq).toString(16).padStart(12, '0')}`;
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: ns,
        operation: 'CREATE',
        userInfo: { username: 'e2e' },
        object: podObject('direct', ns),
        dryRun: false,
      },
    });
    const t0 = performance.now();
    return new Promise((resolve) => {
      const done = (status: number, text: string, error?: string) =>
        resolve({ status, ms: performance.now() - t0, error, preStopSleep: error ? undefined : sleepOf(text) });
      const req = request(
        this.gk.url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          res.on('error', (err) => done(0, '', err.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => done(0, '', err.message));
      req.end(body);
    });
  }

  /** The preStop sleep gracekeeper answers for a Pod in `ns` now; throws unless it answered 200. */
  async sleepFor(ns: string): Promise<number | undefined> {
    const a = await this.review(ns);
    if (a.status !== 200) throw new Error(`direct review in ${ns}: ${a.status} ${a.error ?? ''}`);
    return a.preStopSleep;
  }

  close(): void {
    this.agent.destroy();
  }
}

function sleepOf(text: string): number | undefined {
  const patch = (JSON.parse(text) as { response?: { patch?: string } }).response?.patch;
  if (!patch) return undefined;
  const ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as { path: string; value?: Obj }[];
  const hook = ops.find((o) => o.path === '/spec/containers/0/lifecycle')?.value?.preStop as Obj | undefined;
  return (hook?.sleep?.seconds as number | undefined) ?? undefined;
}

/** Polls `fn` every 100 ms until it holds; the milliseconds that took. */
export async function timeUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await eventually(what, async () => ((await fn().catch(() => false)) ? true : undefined), { timeoutMs });
  return Date.now() - t0;
}

/** One sample of gracekeeper's metrics text, e.g. 'gracekeeper_namespace_informer_restarts_total'. */
export function metric(gk: Gracekeeper, sample: string): Promise<number> {
  return metricSample(gk.metricsPort, sample);
}

/**
 * The API server's log lines about calls to gracekeeper's webhook that failed: one line each (its
 * dispatcher logs "Failed calling webhook, failing open <name>: <error>" under failurePolicy Ignore,
 * and the same error again as an "Unhandled Error", which is not counted).
 */
export function webhookFailures(logPath: string, since = 0): string[] {
  return readFileSync(logPath, 'utf8')
    .slice(since)
    .split('\n')
    .filter((l) => l.includes('Failed calling webhook') && l.includes('gracekeeper'));
}

/** The size of a log file now, to read only what comes after. */
export function logSize(logPath: string): number {
  return readFileSync(logPath).length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sets (or, with undefined, removes) annotations of a Namespace with a merge patch. */
export async function annotate(
  through: Pick<ControlPlane, 'api'>,
  ns: string,
  annotations: Record<string, string | null>,
): Promise<void> {
  const res = await through.api('PATCH', `/api/v1/namespaces/${ns}?fieldManager=e2e`, { metadata: { annotations } });
  if (res.status !== 200) throw new Error(`annotating Namespace ${ns}: ${res.status} ${res.text.slice(0, 300)}`);
}
