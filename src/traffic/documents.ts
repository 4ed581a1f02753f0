// Manifests into the traffic index: the Services, Ingresses, routes and their classes among them
// (for `gracekeeper mutate`, which sizes pre-stop-sleep auto from its own input, and its tests).
import { gvkOf } from '../kube/gvk.js';
import type { TrafficIndex } from './index.js';
import { indexedKind } from './kinds.js';

/** Adds every document of an indexed kind; a namespaced one without a namespace gets `defaultNamespace`. */
export function indexDocuments(index: TrafficIndex, documents: readonly unknown[], defaultNamespace: string): TrafficIndex {
  for (const doc of documents) {
    const gvk = gvkOf(doc);
    const kind = gvk ? indexedKind(gvk) : undefined;
    if (!kind) continue;
    const obj = doc as Record<string, unknown> & { metadata?: Record<string, unknown> };
    index.upsert(kind, { ...obj, metadata: { namespace: defaultNamespace, ...obj.metadata } });
  }
  return index;
}
