// The fallback for a Namespace the informer has not delivered yet (a manifest that creates a
// Namespace and its workloads together): one GET, with a short timeout, remembered briefly.
import type { CoreV1Api, V1Namespace } from '@kubernetes/client-node';
import { Remembered, type RememberedOptions } from './remembered.js';
import type { NamespaceInfo } from './sources.js';

type Reader = Pick<CoreV1Api, 'readNamespace'>;

export function namespaceInfo(ns: V1Namespace): NamespaceInfo {
  return { labels: ns.metadata?.labels ?? {}, annotations: ns.metadata?.annotations ?? {} };
}

export class NamespaceLookup extends Remembered<NamespaceInfo> {
  constructor(api: Reader, options: RememberedOptions = {}) {
    super(async (name) => namespaceInfo(await api.readNamespace({ name })), options);
  }
}
