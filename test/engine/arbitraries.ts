// fast-check generators of pod specs, workloads and gracekeeper annotations, valid and not.
import fc from 'fast-check';
import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings } from '../../src/settings/cluster-settings.js';

const NAMES = ['app', 'web', 'api', 'worker', 'metrics', 'istio-proxy', 'proxy', 'setup'];
const PORT_NAMES = ['http', 'grpc', 'admin', 'metrics'];

const port = fc.record(
  {
    name: fc.option(fc.constantFrom(...PORT_NAMES), { nil: undefined }),
    containerPort: fc.integer({ min: 1, max: 65535 }),
    protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
  },
  { requiredKeys: ['containerPort'] },
);

const userHandler = fc.oneof(
  fc.record({ exec: fc.record({ command: fc.constant(['/bin/drain', '--now']) }) }),
  fc.record({ httpGet: fc.record({ path: fc.constantFrom('/drain', '/stop'), port: fc.integer({ min: 1, max: 65535 }) }) }),
  fc.record({ sleep: fc.record({ seconds: fc.integer({ min: 1, max: 20 }) }) }),
);

const userProbe = fc.record({
  exec: fc.record({ command: fc.constant(['/bin/check']) }),
  periodSeconds: fc.integer({ min: 1, max: 30 }),
});

function container(name: string, sidecar: boolean) {
  return fc
    .record({
      ports: fc
        .uniqueArray(port, { maxLength: 3, selector: (p) => `${p.containerPort}/${p.protocol ?? 'TCP'}` })
        .map((ports) => dedupePortNames(ports)),
      preStop: fc.option(userHandler, { nil: undefined, freq: 3 }),
      readiness: fc.option(userProbe, { nil: undefined, freq: 3 }),
      startup: fc.option(userProbe, { nil: undefined, freq: 4 }),
    })
    .map(({ ports, preStop, readiness, startup }) => {
      const c: Record<string, unknown> = { name, image: `example.com/${name}:1` };
      if (sidecar) c.restartPolicy = 'Always';
      if (ports.length > 0) c.ports = ports.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)));
      if (preStop) c.lifecycle = { preStop };
      if (readiness) c.readinessProbe = readiness;
      if (startup) c.startupProbe = { ...startup, failureThreshold: 10 };
      return c;
    });
}

function dedupePortNames<T extends { name?: string }>(ports: T[]): T[] {
  const seen = new Set<string>();
  return ports.map((p) => {
    if (p.name === undefined || !seen.has(p.name)) {
      if (p.name) seen.add(p.name);
      return p;
    }
    return { ...p, name: undefined };
  });
}

export const podSpec = fc
  .tuple(
    fc.shuffledSubarray(NAMES, { minLength: 1, maxLength: 5 }),
    fc.integer({ min: 0, max: 2 }),
    fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
  )
  .chain(([names, initCount, grace]) => {
    const init = names.slice(0, Math.min(initCount, names.length - 1));
    const regular = names.slice(init.length);
    return fc
      .tuple(fc.tuple(...regular.map((n) => container(n, false))), fc.tuple(...init.map((n, i) => container(n, i === 0))))
      .map(([containers, initContainers]) => {
        const spec: Record<string, unknown> = { containers };
        if (initContainers.length > 0) spec.initContainers = initContainers;
        if (grace !== undefined) spec.terminationGracePeriodSeconds = grace;
        return spec;
      });
  });

const VALUES: Record<string, string[]> = {
  'pre-stop-sleep': ['0', '3', '5s', '2m', '1h', '90', 'soon', '1.5s', '-1'],
  'pre-stop-mode': ['auto', 'sleep', 'exec', 'none', 'sigterm'],
  'drain-timeout': ['0', '10s', '1m30s', '45', '2h', 'x'],
  'termination-grace-period': ['10s', '1m', '700', '3', 'abc'],
  containers: ['app', 'app,proxy', 'web, worker', 'setup', 'istio-proxy', 'nope', 'Bad_Name'],
  readiness: ['auto', 'http', 'tcp', 'grpc', 'none', 'always'],
  'readiness-path': ['/healthz', '/', 'healthz'],
  'readiness-port': ['8080', 'http', 'grpc', '0', '70000'],
  'readiness-scheme': ['HTTP', 'https', 'FTP'],
  'readiness-period': ['1', '5s', '1m', '0'],
  'readiness-failure-threshold': ['1', '3', '100', '101', 'two'],
  'readiness-initial-delay': ['0s', '10s', 'later'],
  'startup-timeout': ['30s', '5m', '0'],
  'min-ready-seconds': ['0', '10s', 'x'],
  inject: ['true', 'false', 'maybe'],
  mesh: ['auto', 'none', 'NONE', 'istio'],
  'sidecar-drain-timeout': ['0', '5s', '30s', '2h', 'x'],
  'stop-signal': ['SIGQUIT', 'sigint', 'SIGRTMIN+2', 'SIGTERM', 'SIGFOO', 'QUIT'],
  'pre-stop-slep': ['5s'],
};

export const annotations = fc
  .dictionary(fc.constantFrom(...Object.keys(VALUES)), fc.constant(''), { maxKeys: 5 })
  .chain((dict) => {
    const keys = Object.keys(dict);
    return fc
      .tuple(...keys.map((k) => fc.constantFrom(...VALUES[k])))
      .map((values) => Object.fromEntries(keys.map((k, i) => [`gracekeeper.io/${k}`, values[i]])));
  });

export const KINDS = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
] as const;

/** Wraps a pod spec into an object of the given kind, with annotations at each level. */
export function wrap(
  kind: (typeof KINDS)[number],
  spec: Record<string, unknown>,
  workload: Record<string, string>,
  template: Record<string, string>,
  templateLabels: Record<string, string> = {},
): Record<string, unknown> {
  const podMeta = { labels: { app: 'web', ...templateLabels }, annotations: template };
  if (kind.kind === 'Pod') return { ...kind, metadata: { name: 'web', namespace: 'shop', ...podMeta }, spec };
  const podTemplate = {
    metadata: podMeta,
    spec: kind.kind === 'Job' || kind.kind === 'CronJob' ? { ...spec, restartPolicy: 'Never' } : spec,
  };
  const selector = { matchLabels: { app: 'web' } };
  const meta = { name: 'web', namespace: 'shop', annotations: workload };
  if (kind.kind === 'CronJob')
    return { ...kind, metadata: meta, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate } } } };
  if (kind.kind === 'Job') return { ...kind, metadata: meta, spec: { template: podTemplate } };
  const extra = kind.kind === 'StatefulSet' ? { serviceName: 'web' } : {};
  return { ...kind, metadata: meta, spec: { ...extra, selector, template: podTemplate } };
}

export const clusterSettings: fc.Arbitrary<ClusterSettings> = fc
  .record({
    max: fc.constantFrom(600, 60, 20),
    policy: fc.constantFrom<'deny' | 'warn'>('deny', 'warn'),
    stopSignals: fc.boolean(),
    istioNative: fc.boolean(),
    nodeShutdown: fc.option(fc.constantFrom(20, 30, 120), { nil: undefined }),
  })
  .map(({ max, policy, stopSignals, istioNative, nodeShutdown }) => ({
    ...DEFAULT_CLUSTER_SETTINGS,
    maxTerminationGracePeriod: max,
    invalidAnnotations: policy,
    stopSignals,
    istioNativeSidecars: istioNative,
    ...(nodeShutdown === undefined ? {} : { nodeShutdownGracePeriod: nodeShutdown }),
  }));

export const kubeVersion = fc.constantFrom(undefined, { major: 1, minor: 28 }, { major: 1, minor: 30 }, { major: 1, minor: 34 });
