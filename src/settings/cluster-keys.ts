// The table of cluster settings: one entry a key of the settings file, with its parser (which
// reports what was wrong and what is accepted), its default in the file's own words and its
// meaning (the reference in docs/ is generated from this table).
import type { TrafficRule } from './traffic-rules.js';
import { CLOUDS, type Cloud } from '../kube/clouds.js';
import { flag, names, parseDefaults, parseTrafficPaths, seconds, shown, word } from './cluster-values.js';
import type { InjectionSettings } from './types.js';

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
  /** The cloud whose default controllers serve objects that name none: learnt from Nodes (`auto`), named, or `none`. */
  cloud: 'auto' | 'none' | Cloud;
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
    key: 'cloud',
    field: 'cloud',
    defaultText: 'auto',
    meaning: `the cloud whose default load balancers serve an Ingress or \`LoadBalancer\` Service that names no class: \`auto\` (learnt once from the Nodes' \`spec.providerID\`), \`none\`, or one of ${CLOUDS.map((c) => `\`${c}\``).join(', ')}`,
    parse: word('cloud', ['auto', 'none', ...CLOUDS] as const),
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
