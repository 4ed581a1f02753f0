// The fallback for a Namespace the informer has not delivered yet (a manifest that creates a
// Namespace and its workloads together): one GET, with a short timeout, remembered briefly.
import type { CoreV1Api } from '@kubernetes/client-node';

export interface LookupOptions {
  /** How long one GET may take before the admission goes on without it (ms). */
  timeoutMs?: number;
  /** How long an answer is remembered, so a burst of Pods in a new namespace costs one GET (ms). */
  ttlMs?: number;
  now?: () => number;
}

type Reader = Pick<CoreV1Api, 'readNamespace'>;

export class NamespaceLookup {
  private readonly remembered = new Map<string, { at: number; value: Promise<Record<string, string> | undefined> }>();
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  lookups = 0;

  constructor(
    private readonly api: Reader,
    options: LookupOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The namespace's annotations; undefined when it does not exist or the API did not answer in time. */
  get(name: string): Promise<Record<string, string> | undefined> {
    const now = this.now();
    const hit = this.remembered.get(name);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.remembered.size > 1000) this.remembered.clear();
    this.lookups++;
    const value = this.read(name);
    this.remembered.set(name, { at: now, value });
    return value;
  }

  private async read(name: string): Promise<Record<string, string> | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs);
    });
    try {
      const ns = await Promise.race([this.api.readNamespace({ name }), timeout]);
      if (!ns) this.remembered.delete(name);
      return ns ? (ns.metadata?.annotations ?? {}) : undefined;
    } catch {
      this.remembered.delete(name);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
