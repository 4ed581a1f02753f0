// The little the traffic index keeps of each object: names, selectors, classes, backends, and the
// annotations load balancers read (values over 1 KiB and kubectl's last-applied copy are dropped:
// no load balancer setting is that long, and the index must stay small with many objects).
import { speaksTls } from './tls-names.js';
import { listOf, recordOf } from '../kube/pod-types.js';
import type { ServiceFacts, ServicePortFacts } from './types.js';

type Obj = Record<string, unknown>;

const MAX_ANNOTATION_VALUE = 1024;
const SKIPPED = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

export interface ServiceEntry {
  selector: Record<string, string>;
  facts: ServiceFacts;
  /** spec.clusterIP is None. */
  headless: boolean;
  publishNotReadyAddresses: boolean;
}

export interface IngressEntry {
  name: string;
  className?: string;
  annotations: Record<string, string>;
  /** Names of the Services (same namespace) its rules and default backend name. */
  backends: string[];
}

export interface RouteEntry {
  kind: 'HTTPRoute' | 'GRPCRoute';
  name: string;
  namespace: string;
  annotations: Record<string, string>;
  /** "namespace/name" of each Gateway it attaches to. */
  parents: string[];
  /** "namespace/name" of each Service its rules send to. */
  backends: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function annotationsOf(meta: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(recordOf(meta.annotations))) {
    if (typeof v === 'string' && v.length <= MAX_ANNOTATION_VALUE && !SKIPPED.has(k)) out[k] = v;
  }
  return out;
}

function stringMapOf(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(recordOf(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The ports a Service sends to: targetPort, or `port` when it is absent (as the API server defaults it). */
function servicePorts(ports: unknown): ServicePortFacts[] {
  const out: ServicePortFacts[] = [];
  for (const p of listOf(ports).map(recordOf)) {
    const target = p.targetPort ?? p.port;
    if ((typeof target !== 'number' || !Number.isInteger(target)) && (typeof target !== 'string' || target === '')) continue;
    const tls = speaksTls(str(p.name), str(p.appProtocol), typeof p.port === 'number' ? p.port : undefined);
    out.push({ targetPort: target, protocol: str(p.protocol) ?? 'TCP', ...(tls ? { tls } : {}) });
  }
  return out;
}

export function compactService(obj: Obj): ServiceEntry {
  const meta = recordOf(obj.metadata);
  const spec = recordOf(obj.spec);
  return {
    selector: stringMapOf(spec.selector),
    headless: spec.clusterIP === 'None',
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    facts: {
      name: str(meta.name) ?? '',
      type: str(spec.type) ?? 'ClusterIP',
      externalTrafficPolicy: str(spec.externalTrafficPolicy) ?? 'Cluster',
      ...(str(spec.loadBalancerClass) ? { loadBalancerClass: str(spec.loadBalancerClass) } : {}),
      ...(spec.clusterIP === 'None' ? { headless: true as const } : {}),
      ...(spec.publishNotReadyAddresses === true ? { publishNotReadyAddresses: true as const } : {}),
      annotations: annotationsOf(meta),
      ports: servicePorts(spec.ports),
    },
  };
}

export function compactIngress(obj: Obj): IngressEntry {
  const meta = recordOf(obj.metadata);
  const spec = recordOf(obj.spec);
  const annotations = annotationsOf(meta);
  const backends = new Set<string>();
  const add = (backend: unknown) => {
    const name = str(recordOf(recordOf(backend).service).name);
    if (name) backends.add(name);
  };
  add(spec.defaultBackend);
  for (const rule of listOf(spec.rules))
    for (const path of listOf(recordOf(recordOf(rule).http).paths)) add(recordOf(path).backend);
  const className = str(spec.ingressClassName) ?? annotations['kubernetes.io/ingress.class'];
  return { name: str(meta.name) ?? '', ...(className ? { className } : {}), annotations, backends: [...backends].sort() };
}

export function compactRoute(kind: 'HTTPRoute' | 'GRPCRoute', obj: Obj): RouteEntry {
  const meta = recordOf(obj.metadata);
  const spec = recordOf(obj.spec);
  const namespace = str(meta.namespace) ?? '';
  const parents = new Set<string>();
  for (const ref of listOf(spec.parentRefs).map(recordOf)) {
    const group = str(ref.group) ?? 'gateway.networking.k8s.io';
    const refKind = str(ref.kind) ?? 'Gateway';
    const name = str(ref.name);
    if (group === 'gateway.networking.k8s.io' && refKind === 'Gateway' && name)
      parents.add(`${str(ref.namespace) ?? namespace}/${name}`);
  }
  const backends = new Set<string>();
  for (const rule of listOf(spec.rules).map(recordOf)) {
    for (const ref of listOf(rule.backendRefs).map(recordOf)) {
      const group = str(ref.group) ?? '';
      const refKind = str(ref.kind) ?? 'Service';
      const name = str(ref.name);
      if (group === '' && refKind === 'Service' && name) backends.add(`${str(ref.namespace) ?? namespace}/${name}`);
    }
  }
  return {
    kind,
    name: str(meta.name) ?? '',
    namespace,
    annotations: annotationsOf(meta),
    parents: [...parents].sort(),
    backends: [...backends].sort(),
  };
}
