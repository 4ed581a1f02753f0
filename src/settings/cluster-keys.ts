// The table of cluster settings: one entry a key of the settings file, with its parser (which
// reports what was wrong and what is accepted), its default in the file's own words and its
// meaning (the reference in docs/ is generated from this table).
import { parseDuration } from './duration.js';
import { PREFIX } from './keys.js';
import { describeError, describeUnknown, resolveSettings } from './resolve.js';
import type { TrafficRule } from '../traffic/rules.js';
import { DEFAULT_SETTINGS, type InjectionSettings } from './types.js';

export type Targets = 'pods' | 'workloads' | 'both';
export type InvalidAnnotationPolicy = 'deny' | 'warn';

export interface ClusterSettings {
  targets: Targets;
  invalidAnnotations: InvalidAnnotationPolicy;
  excludeContainers: readonly string[];
  maxTerminationGracePeriod: number;
  /** Namespaces never mutated, on top of the built-in ones. */
  excludeNamespaces: readonly string[];
  /** The namespace gracekeeper runs in: never mutated (no self-deadlock). */
  ownNamespace: string;
  /** Cluster-wide defaults for every annotation key. */
  defaults: Readonly<InjectionSettings>;
  /** How long in-cluster routing takes to forget a pod (kube-proxy, CoreDNS, client-side balancers). */
  propagationDelay: number;
  /** Rules that add to or override the table of load balancers, first match wins. */
  trafficPaths: readonly TrafficRule[];
  /** Whether `stop-signal` may write `lifecycle.stopSignal` (the API server's ContainerStopSignals gate is on). */
  stopSignals: boolean;
  /** The kubelets' shutdownGracePeriod for regular pods, when known: longer grace periods get a warning. */
  nodeShutdownGracePeriod?: number;
  /** Whether istiod injects istio-proxy as a native sidecar (its ENABLE_NATIVE_SIDECARS) by default. */
  istioNativeSidecars: boolean;
}

export interface SettingSpec<F extends keyof ClusterSettings = keyof ClusterSettings> {
  /** The key in the settings file. */
  key: string;
  field: F;
  /** The default as the file would write it. */
  defaultText: string;
  /** What it does, for the reference. */
  meaning: string;
  /** The value, or undefined after pushing one error naming the key, the value and what is accepted. */
  parse(value: unknown, errors: string[]): ClusterSettings[F] | undefined;
}

function spec<F extends keyof ClusterSettings>(s: SettingSpec<F>): SettingSpec<F> {
  return s;
}

/** A short rendering of a value for an error message (a long one is cut). */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function word<T extends string>(key: string, allowed: readonly T[]) {
  return (value: unknown, errors: string[]): T | undefined => {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    errors.push(`${key}=${shown(value)}: expected one of ${allowed.join(', ')}`);
    return undefined;
  };
}

function names(key: string) {
  return (value: unknown, errors: string[]): readonly string[] | undefined => {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return Object.freeze([...value]);
    errors.push(`${key}: expected a list of names, got ${shown(value)}`);
    return undefined;
  };
}

function seconds(key: string, min: number, max: number, range: string) {
  return (value: unknown, errors: string[]): number | undefined => {
    const parsed = typeof value === 'string' || typeof value === 'number' ? parseDuration(String(value)) : undefined;
    if (parsed !== undefined && parsed >= min && parsed <= max) return parsed;
    errors.push(`${key}=${shown(value)}: expected a duration from ${range}`);
    return undefined;
  };
}

function flag(key: string) {
  return (value: unknown, errors: string[]): boolean | undefined => {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    errors.push(`${key}=${shown(value)}: expected true or false`);
    return undefined;
  };
}

function parseDefaults(value: unknown, errors: string[]): Readonly<InjectionSettings> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push('defaults: expected a mapping of annotation keys (without the gracekeeper.io/ prefix) to values');
    return undefined;
  }
  const annotations: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    annotations[key.startsWith(PREFIX) ? key : `${PREFIX}${key}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const resolved = resolveSettings(DEFAULT_SETTINGS, [{ source: 'cluster', annotations }]);
  for (const e of resolved.errors) errors.push(`defaults: ${describeError(e)}`);
  for (const u of resolved.unknown) errors.push(`defaults: ${describeUnknown(u)}`);
  return Object.freeze(resolved.settings);
}

const RULE_KEYS = ['ingressClassName', 'serviceType', 'gatewayClassName', 'annotation'] as const;
const MAX_RULES = 100;

/** `trafficPaths`: a list of {match: {one or more of RULE_KEYS}, delay}; every bad entry named. */
function parseTrafficPaths(value: unknown, errors: string[]): readonly TrafficRule[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_RULES) {
    errors.push(`trafficPaths: expected a list of at most ${MAX_RULES} {match: {...}, delay} rules, got ${shown(value)}`);
    return undefined;
  }
  const rules: TrafficRule[] = [];
  const before = errors.length;
  value.forEach((entry: unknown, i) => {
    const at = `trafficPaths[${i}]`;
    const rule = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const match = (typeof rule.match === 'object' && rule.match !== null ? rule.match : undefined) as
      Record<string, unknown> | undefined;
    const keys = match ? Object.keys(match) : [];
    if (!match || keys.length === 0 || keys.some((k) => !(RULE_KEYS as readonly string[]).includes(k))) {
      errors.push(`${at}.match: expected one or more of ${RULE_KEYS.join(', ')}, got ${shown(rule.match)}`);
      return;
    }
    if (keys.some((k) => typeof match[k] !== 'string' || match[k] === '')) {
      errors.push(`${at}.match: every value must be a non-empty string, got ${shown(match)}`);
      return;
    }
    const delay = seconds(`${at}.delay`, 0, 3600, '0s to 1h')(rule.delay, errors);
    if (delay === undefined) return;
    const m = match as Record<string, string>;
    const annotation = m.annotation?.split('=');
    rules.push({
      match: {
        ...(m.ingressClassName ? { ingressClassName: m.ingressClassName } : {}),
        ...(m.serviceType ? { serviceType: m.serviceType } : {}),
        ...(m.gatewayClassName ? { gatewayClassName: m.gatewayClassName } : {}),
        ...(annotation
          ? {
              annotation: {
                key: annotation[0] as string,
                ...(annotation.length > 1 ? { value: annotation.slice(1).join('=') } : {}),
              },
            }
          : {}),
      },
      delay,
    });
  });
  return errors.length > before ? undefined : Object.freeze(rules);
}

export const CLUSTER_SETTINGS: readonly SettingSpec[] = [
  spec({
    key: 'targets',
    field: 'targets',
    defaultText: 'both',
    meaning:
      '`pods`: only Pods, workloads stay exactly as applied (no drift for GitOps tools, no rollout at install); `workloads`: only pod templates, bare Pods left alone; `both`',
    parse: word('targets', ['pods', 'workloads', 'both'] as const),
  }),
  spec({
    key: 'invalidAnnotations',
    field: 'invalidAnnotations',
    defaultText: 'deny',
    meaning: 'an invalid value on a workload: `deny` it with one message naming every bad key, or `warn` and ignore the value',
    parse: word('invalidAnnotations', ['deny', 'warn'] as const),
  }),
  spec({
    key: 'excludeContainers',
    field: 'excludeContainers',
    defaultText: '[istio-proxy, linkerd-proxy]',
    meaning: 'containers never given a hook or a probe, even when named in `containers`',
    parse: names('excludeContainers'),
  }),
  spec({
    key: 'maxTerminationGracePeriod',
    field: 'maxTerminationGracePeriod',
    defaultText: '600s',
    meaning: 'upper bound of the grace period gracekeeper writes (a huge one blocks node drains), 2s to 24h',
    parse: seconds('maxTerminationGracePeriod', 2, 86400, '2s to 24h'),
  }),
  spec({
    key: 'excludeNamespaces',
    field: 'excludeNamespaces',
    defaultText: '[]',
    meaning: "namespaces never mutated, besides kube-system, kube-public, kube-node-lease and gracekeeper's own",
    parse: names('excludeNamespaces'),
  }),
  spec({
    key: 'namespace',
    field: 'ownNamespace',
    defaultText: 'gracekeeper',
    meaning: 'the namespace gracekeeper runs in, never mutated; `--namespace` or `POD_NAMESPACE` wins over it',
    parse: (value, errors) => {
      if (typeof value === 'string' && value !== '') return value;
      errors.push(`namespace=${shown(value)}: expected a namespace name`);
      return undefined;
    },
  }),
  spec({
    key: 'propagationDelay',
    field: 'propagationDelay',
    defaultText: '5s',
    meaning:
      'how long routing inside the cluster (kube-proxy, CoreDNS, client-side balancers) takes to forget a pod: the least `pre-stop-sleep: auto` gives, 0s to 1h',
    parse: seconds('propagationDelay', 0, 3600, '0s to 1h'),
  }),
  spec({
    key: 'trafficPaths',
    field: 'trafficPaths',
    defaultText: '[]',
    meaning:
      'rules `{match: {ingressClassName, serviceType, gatewayClassName or annotation (key or key=value)}, delay}` that add to or override the [table of load balancers](traffic-paths.md), first match wins',
    parse: parseTrafficPaths,
  }),
  spec({
    key: 'defaults',
    field: 'defaults',
    defaultText: "(each key's own default)",
    meaning: 'cluster-wide defaults for every annotation key, without the `gracekeeper.io/` prefix',
    parse: parseDefaults,
  }),
  spec({
    key: 'stopSignals',
    field: 'stopSignals',
    defaultText: 'false',
    meaning:
      '`true` once every API server runs with the feature gate `ContainerStopSignals` (Kubernetes 1.33+): only then does `stop-signal` write `lifecycle.stopSignal`; else it warns',
    parse: flag('stopSignals'),
  }),
  spec({
    key: 'nodeShutdownGracePeriod',
    field: 'nodeShutdownGracePeriod',
    defaultText: '(unset)',
    meaning:
      "the time graceful node shutdown gives regular pods (the kubelets' `shutdownGracePeriod` minus `shutdownGracePeriodCriticalPods`), 1s to 24h: a longer grace period gets a warning",
    parse: seconds('nodeShutdownGracePeriod', 1, 86400, '1s to 24h'),
  }),
  spec({
    key: 'istioNativeSidecars',
    field: 'istioNativeSidecars',
    defaultText: 'false',
    meaning:
      '`true` when istiod injects `istio-proxy` as a native sidecar (its `ENABLE_NATIVE_SIDECARS`): Istio pods then get no proxy wait but a sidecar drain, unless annotated `sidecar.istio.io/nativeSidecar: "false"`',
    parse: flag('istioNativeSidecars'),
  }),
];

/** The keys of the settings file, in the table's order. */
export const TOP_LEVEL: readonly string[] = CLUSTER_SETTINGS.map((s) => s.key);
