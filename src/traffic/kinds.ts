// The kinds the traffic index holds, by group and version: one row each. How the edge watches them
// (plural, scope, whether the CRD may be missing) is the informers' business: cluster/watched-kinds.ts.
import type { GroupVersionKind } from '../kube/gvk.js';
import type { IndexedKind } from './index.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface IndexedKindRow {
  kind: IndexedKind;
  group: string;
  version: string;
}

export const INDEXED_KINDS: readonly IndexedKindRow[] = [
  { kind: 'Service', group: '', version: 'v1' },
  { kind: 'Ingress', group: 'networking.k8s.io', version: 'v1' },
  { kind: 'IngressClass', group: 'networking.k8s.io', version: 'v1' },
  { kind: 'HTTPRoute', group: GATEWAY_GROUP, version: 'v1' },
  { kind: 'GRPCRoute', group: GATEWAY_GROUP, version: 'v1' },
  { kind: 'Gateway', group: GATEWAY_GROUP, version: 'v1' },
  { kind: 'GatewayClass', group: GATEWAY_GROUP, version: 'v1' },
];

/** The indexed kind of a manifest's apiVersion/kind, if any. */
export function indexedKind(gvk: GroupVersionKind): IndexedKind | undefined {
  return INDEXED_KINDS.find((w) => w.group === gvk.group && w.version === gvk.version && w.kind === gvk.kind)?.kind;
}
