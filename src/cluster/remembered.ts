// One GET to the API server on the admission path, bounded and shared: each answer is remembered
// for a short time, so a burst of admissions for the same key costs one call; a call that fails,
// finds nothing or outlasts its timeout is forgotten at once, so the next admission asks again.

export interface RememberedOptions {
  /** How long one read may take before the admission goes on without it (ms). */
  timeoutMs?: number;
  /** How long an answer is remembered (ms). */
  ttlMs?: number;
  /** At most this many answers are kept; past it the memory starts afresh. */
  maxEntries?: number;
  now?: () => number;
}

export class Remembered<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V | undefined> }>();
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Reads started (for tests and metrics). */
  lookups = 0;

  constructor(
    private readonly read: (key: string) => Promise<V | undefined>,
    options: RememberedOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** The answer for `key`; undefined when there is none or the API server did not answer in time. */
  get(key: string): Promise<V | undefined> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.lookups++;
    const value = this.bounded(key);
    this.entries.set(key, { at: now, value });
    return value;
  }

  private async bounded(key: string): Promise<V | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs);
    });
    try {
      const value = await Promise.race([this.read(key), timeout]);
      if (value === undefined) this.entries.delete(key);
      return value;
    } catch {
      this.entries.delete(key);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
