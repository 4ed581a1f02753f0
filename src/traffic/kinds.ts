// The kinds the traffic index holds, by group and version, and where the edge watches them.
import type { GroupVersionKind } from '../engine/types.js';
import type { IndexedKind } from './index.js';

export interface WatchedKind {
  kind: IndexedKind;
  group: string;
  version: string;
  /** The resource's plural, for its API path. */
  plural: string;
  namespaced: boolean;
  /** Optional: its CRD may not be installed (discovered, re-checked). */
  optional: boolean;
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export const WATCHED_KINDS: readonly WatchedKind[] = [
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true, optional: false },
  { kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespaced: true, optional: false },
  {
    kind: 'IngressClass',
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingressclasses',
    namespaced: false,
    optional: false,
  },
  { kind: 'HTTPRoute', group: GATEWAY_GROUP, version: 'v1', plural: 'httproutes', namespaced: true, optional: true },
  { kind: 'GRPCRoute', group: GATEWAY_GROUP, version: 'v1', plural: 'grpcroutes', namespaced: true, optional: true },
  { kind: 'Gateway', group: GATEWAY_GROUP, version: 'v1', plural: 'gateways', namespaced: true, optional: true },
  { kind: 'GatewayClass', group: GATEWAY_GROUP, version: 'v1', plural: 'gatewayclasses', namespaced: false, optional: true },
];

/** The indexed kind of a manifest's apiVersion/kind, if any. */
export function indexedKind(gvk: GroupVersionKind): IndexedKind | undefined {
  return WATCHED_KINDS.find((w) => w.group === gvk.group && w.version === gvk.version && w.kind === gvk.kind)?.kind;
}
