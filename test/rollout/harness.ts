// The pieces every scenario of `make rollout-proof` shares: the test app's manifests, reading its
// pods, waiting until a namespace has settled, the load generator as a child process in the node,
// and conntrack. The scenarios (scenarios/*.ts) and the runner (run.ts) build on them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from '../e2e/cluster.js';
import type { LoadResult } from './loadgen.js';
import { APP_IMAGE, type Node } from './node.js';
import type { Arm } from './scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '..', '..');
export const APP = 'web';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface AppSpec {
  namespace: string;
  replicas: number;
  image?: string;
  /** Pins the pods to one node (kubernetes.io/hostname). */
  nodeName?: string;
  /** Annotations on the Deployment (gracekeeper.io/* workload settings). */
  deploymentAnnotations?: Record<string, string>;
  service?: {
    type?: 'ClusterIP' | 'LoadBalancer';
    annotations?: Record<string, string>;
    externalTrafficPolicy?: 'Cluster' | 'Local';
  };
  /** A PodDisruptionBudget with this maxUnavailable. */
  pdbMaxUnavailable?: number;
}

/**
 * The test app as a team would write it: no probe, no preStop, the default grace period. Pods are
 * labelled `proof: <namespace>` too, so that a drain can pick one namespace's pods.
 */
export function appManifests(s: AppSpec): Record<string, unknown> {
  const labels = { app: APP, proof: s.namespace };
  const items: Record<string, unknown>[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: APP,
        namespace: s.namespace,
        ...(s.deploymentAnnotations ? { annotations: s.deploymentAnnotations } : {}),
      },
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: { app: APP } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            ...(s.nodeName ? { nodeSelector: { 'kubernetes.io/hostname': s.nodeName } } : {}),
            containers: [
              {
                name: 'app',
                image: s.image ?? APP_IMAGE,
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
      metadata: { name: APP, namespace: s.namespace, ...(s.service?.annotations ? { annotations: s.service.annotations } : {}) },
      spec: {
        type: s.service?.type ?? 'ClusterIP',
        ...(s.service?.externalTrafficPolicy ? { externalTrafficPolicy: s.service.externalTrafficPolicy } : {}),
        selector: { app: APP },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
  ];
  if (s.pdbMaxUnavailable !== undefined) {
    items.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: APP, namespace: s.namespace },
      spec: { maxUnavailable: s.pdbMaxUnavailable, selector: { matchLabels: { app: APP } } },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

export interface Pod {
  metadata: {
    name: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    annotations?: Record<string, string>;
  };
  spec: { nodeName?: string; terminationGracePeriodSeconds?: number; containers: Record<string, unknown>[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

export async function pods(cp: ControlPlane, ns: string): Promise<Pod[]> {
  const { status, body, text } = await cp.api<{ items: Pod[] }>(
    'GET',
    `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${APP}`,
  );
  if (status !== 200) throw new Error(`list pods in ${ns}: ${status} ${text.slice(0, 200)}`);
  return body.items;
}

/** Until `replicas` ready pods, none terminating, and as many ready endpoints in the Service. */
export async function waitSettled(cp: ControlPlane, ns: string, replicas: number, timeoutMs = 180_000): Promise<void> {
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
        `${ns}: not settled after ${timeoutMs} ms: ${ps.length} pods, ${ready.length} ready, ${eps.length} endpoints`,
      );
    }
    await sleep(500);
  }
}

/** The pod spec fields gracekeeper is about, as stored, and what sized the sleep (its record's
 * `sleep.by`, when a traffic path did), for the record. */
export function shutdownFields(p: Pod): Record<string, unknown> {
  const c = p.spec.containers[0] ?? {};
  const record = p.metadata.annotations?.['gracekeeper.io/injected'];
  let sleepBy: string | undefined;
  try {
    sleepBy = record ? (JSON.parse(record) as { sleep?: { by?: string } }).sleep?.by : undefined;
  } catch {
    sleepBy = undefined;
  }
  return {
    terminationGracePeriodSeconds: p.spec.terminationGracePeriodSeconds,
    lifecycle: c.lifecycle ?? null,
    readinessProbe: c.readinessProbe ?? null,
    injected: record !== undefined,
    ...(sleepBy ? { sleepBy } : {}),
  };
}

/**
 * Applies the app and waits until it has settled; returns what gracekeeper made of its pods. The
 * webhook may take a moment to be called for a new namespace: retried until the pods are mutated
 * (in the arms with gracekeeper), or never mutated (without).
 */
export async function deployApp(cp: ControlPlane, arm: Arm, spec: AppSpec): Promise<Record<string, unknown>> {
  const ns = spec.namespace;
  for (let attempt = 0; ; attempt++) {
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(appManifests(spec)) });
    await cp.kubectl(['-n', ns, 'rollout', 'status', `deployment/${APP}`, '--timeout=180s'], { timeoutMs: 200_000 });
    await waitSettled(cp, ns, spec.replicas);
    const first = (await pods(cp, ns))[0];
    if (!first) throw new Error(`${ns}: no pod`);
    const fields = shutdownFields(first);
    if (arm === 'without' && fields.injected)
      throw new Error(`${ns}: gracekeeper mutated a pod in a namespace without the label`);
    if (arm === 'without' || fields.injected) return fields;
    if (attempt >= 2) throw new Error(`${ns}: gracekeeper did not mutate the pods: ${JSON.stringify(fields)}`);
    await cp.kubectl(['-n', ns, 'delete', 'deployment', APP, '--wait=true']);
  }
}

/**
 * The pods' comings and goings while a run lasts, from the API server's own timestamps (whole
 * seconds): when each pod was created, became ready, and was deleted (its deletionTimestamp minus
 * its grace period). Polled every 500 ms; stop() returns them in order, as epoch milliseconds.
 */
export function watchPods(cp: ControlPlane, ns: string): { stop(): Promise<{ t: number; what: string }[]> } {
  const seen = new Map<string, { t: number; ip: string }>();
  let running = true;
  const look = async (): Promise<void> => {
    for (const p of await pods(cp, ns).catch(() => [] as Pod[])) {
      const mark = (what: string, at: string | undefined, minusS = 0): void => {
        const key = `${what} ${p.metadata.name}`;
        if (at && !seen.has(key)) seen.set(key, { t: Date.parse(at) - minusS * 1000, ip: p.status?.podIP ?? '' });
      };
      mark('created', p.metadata.creationTimestamp);
      mark('ready', p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime);
      mark('deleted', p.metadata.deletionTimestamp, p.metadata.deletionGracePeriodSeconds ?? 0);
    }
  };
  const loop = (async () => {
    while (running) {
      await look();
      await sleep(500);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return [...seen].map(([what, { t, ip }]) => ({ t, what: `pod ${what}${ip ? ` ${ip}` : ''}` })).sort((a, b) => a.t - b.t);
    },
  };
}

export interface LoadProcess {
  started: Promise<void>;
  stop(): Promise<LoadResult>;
}

/** loadgen.ts as a child in the node's network namespace and cgroup; `args` are its flags. */
export function startLoad(node: Node, args: string[], outFile: string): LoadProcess {
  const argv = node.inNode([process.execPath, '--import', 'tsx', join(here, 'loadgen.ts'), ...args, `--out=${outFile}`]);
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

/** Counts the node's conntrack entries for `ip` (and those still in SYN_SENT), then drops them. */
export async function flushConntrack(node: Node, ip: string): Promise<{ total: number; synSent: number }> {
  const listed = await node.execInNetns(['sh', '-c', `conntrack -L -p tcp -d ${ip} 2>/dev/null || true`]);
  const lines = listed.split('\n').filter((l) => l.includes(`dst=${ip}`));
  await node.execInNetns(['sh', '-c', `conntrack -D -p tcp -d ${ip} >/dev/null 2>&1 || true`]);
  return { total: lines.length, synSent: lines.filter((l) => /\bSYN_SENT\b/.test(l)).length };
}

/** The 1, 5 and 15 minute load averages of the machine (shared with other work), as uptime shows them. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a, b, c];
}
