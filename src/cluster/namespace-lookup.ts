// The fallback for a Namespace the informer has not delivered yet (a manifest that creates a
// Namespace and its workloads together): one GET, with a short timeout, remembered briefly.
import type { CoreV1Api } from '@kubernetes/client-node';
import { Remembered, type RememberedOptions } from './remembered.js';

type Reader = Pick<CoreV1Api, 'readNamespace'>;

export class NamespaceLookup extends Remembered<Record<string, string>> {
  constructor(api: Reader, options: RememberedOptions = {}) {
    super(async (name) => {
      const ns = await api.readNamespace({ name });
      return ns.metadata?.annotations ?? {};
    }, options);
  }
}
