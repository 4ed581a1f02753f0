// What the edge's informers keep of each object the traffic index reads: a skeleton of the same
// shape (so the index reads informer objects and `gracekeeper mutate`'s documents alike) holding
// names, the fields compact.ts reads, and the annotations it keeps. With 10,000 Services the
// whole objects would cost tens of MB; the skeletons a fraction of it.
import { annotationsOf } from '../traffic/compact.js';
import type { IndexedKind } from '../traffic/index.js';

type Obj = Record<string, unknown>;
const record = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const pick = (from: Obj, keys: readonly string[]): Obj =>
  Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));

function specOf(kind: IndexedKind, spec: Obj): Obj {
  switch (kind) {
    case 'Service':
      return {
        ...pick(spec, [
          'selector',
          'type',
          'externalTrafficPolicy',
          'loadBalancerClass',
          'clusterIP',
          'publishNotReadyAddresses',
        ]),
        ...(Array.isArray(spec.ports)
          ? { ports: list(spec.ports).map((p) => pick(record(p), ['port', 'targetPort', 'protocol'])) }
          : {}),
      };
    case 'Ingress': {
      const backend = (b: unknown) => ({ service: pick(record(record(b).service), ['name']) });
      return {
        ...pick(spec, ['ingressClassName']),
        ...(spec.defaultBackend ? { defaultBackend: backend(spec.defaultBackend) } : {}),
        rules: list(spec.rules).map((r) => ({
          http: { paths: list(record(record(r).http).paths).map((p) => ({ backend: backend(record(p).backend) })) },
        })),
      };
    }
    case 'HTTPRoute':
    case 'GRPCRoute': {
      const ref = (r: unknown) => pick(record(r), ['group', 'kind', 'name', 'namespace']);
      return {
        parentRefs: list(spec.parentRefs).map(ref),
        rules: list(spec.rules).map((r) => ({ backendRefs: list(record(r).backendRefs).map(ref) })),
      };
    }
    case 'Gateway':
      return pick(spec, ['gatewayClassName']);
    case 'GatewayClass':
      return pick(spec, ['controllerName']);
    case 'IngressClass':
      return pick(spec, ['controller']);
  }
}

export function trimFor(kind: IndexedKind): <T extends object>(object: T) => T {
  return <T extends object>(object: T): T => {
    const o = object as unknown as Obj;
    const meta = record(o.metadata);
    const annotations = annotationsOf(meta);
    if (kind === 'IngressClass' && typeof record(meta.annotations)['ingressclass.kubernetes.io/is-default-class'] === 'string') {
      annotations['ingressclass.kubernetes.io/is-default-class'] = record(meta.annotations)[
        'ingressclass.kubernetes.io/is-default-class'
      ] as string;
    }
    return {
      metadata: { ...pick(meta, ['name', 'namespace', 'resourceVersion']), annotations },
      spec: specOf(kind, record(o.spec)),
    } as unknown as T;
  };
}
