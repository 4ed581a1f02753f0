// How the edge's informers (and the audit's lists) reach each kind the traffic index holds: the
// resource's plural for its API path, its scope, and whether its CRD may be missing. The kinds
// themselves, with group and version, are traffic/kinds.ts's table; this adds the API's side.
import type { IndexedKind } from '../traffic/index.js';
import { INDEXED_KINDS, type IndexedKindRow } from '../traffic/kinds.js';

export interface WatchedKind extends IndexedKindRow {
  /** The resource's plural, for its API path. */
  plural: string;
  namespaced: boolean;
  /** Optional: its CRD may not be installed (discovered, re-checked). */
  optional: boolean;
}

const API: Record<IndexedKind, Omit<WatchedKind, keyof IndexedKindRow>> = {
  Service: { plural: 'services', namespaced: true, optional: false },
  Ingress: { plural: 'ingresses', namespaced: true, optional: false },
  IngressClass: { plural: 'ingressclasses', namespaced: false, optional: false },
  HTTPRoute: { plural: 'httproutes', namespaced: true, optional: true },
  GRPCRoute: { plural: 'grpcroutes', namespaced: true, optional: true },
  Gateway: { plural: 'gateways', namespaced: true, optional: true },
  GatewayClass: { plural: 'gatewayclasses', namespaced: false, optional: true },
};

export const WATCHED_KINDS: readonly WatchedKind[] = INDEXED_KINDS.map((k) => ({ ...k, ...API[k.kind] }));
