// What the edge's informers keep of each object the traffic index reads: a skeleton of the same
// shape (so the index reads informer objects and `gracekeeper mutate`'s documents alike) holding
// names, the fields compact.ts reads, and the annotations it keeps. With 10,000 Services the
// whole objects would cost tens of MB; the skeletons a fraction of it.
import { listOf, recordOf } from '../kube/pod-types.js';
import { annotationsOf } from '../traffic/compact.js';
import type { IndexedKind } from '../traffic/index.js';

type Obj = Record<string, unknown>;
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
          ? { ports: listOf(spec.ports).map((p) => pick(recordOf(p), ['name', 'port', 'targetPort', 'protocol', 'appProtocol'])) }
          : {}),
      };
    case 'Ingress': {
      const backend = (b: unknown) => ({ service: pick(recordOf(recordOf(b).service), ['name']) });
      return {
        ...pick(spec, ['ingressClassName']),
        ...(spec.defaultBackend ? { defaultBackend: backend(spec.defaultBackend) } : {}),
        rules: listOf(spec.rules).map((r) => ({
          http: { paths: listOf(recordOf(recordOf(r).http).paths).map((p) => ({ backend: backend(recordOf(p).backend) })) },
        })),
      };
    }
    case 'HTTPRoute':
    case 'GRPCRoute': {
      const ref = (r: unknown) => pick(recordOf(r), ['group', 'kind', 'name', 'namespace']);
      return {
        parentRefs: listOf(spec.parentRefs).map(ref),
        rules: listOf(spec.rules).map((r) => ({ backendRefs: listOf(recordOf(r).backendRefs).map(ref) })),
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
    const meta = recordOf(o.metadata);
    const annotations = annotationsOf(meta);
    if (
      kind === 'IngressClass' &&
      typeof recordOf(meta.annotations)['ingressclass.kubernetes.io/is-default-class'] === 'string'
    ) {
      annotations['ingressclass.kubernetes.io/is-default-class'] = recordOf(meta.annotations)[
        'ingressclass.kubernetes.io/is-default-class'
      ] as string;
    }
    return {
      metadata: { ...pick(meta, ['name', 'namespace', 'resourceVersion']), annotations },
      spec: specOf(kind, recordOf(o.spec)),
    } as unknown as T;
  };
}
