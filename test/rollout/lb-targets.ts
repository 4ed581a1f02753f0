// The routing table of the emulated load balancer (lb.ts): the pod addresses (address:port) it
// sends new connections to. An address is added as soon as it is seen ready; one that stops being ready (or
// disappears) stays routed for `delayMs` more, as a cloud load balancer keeps a target until its
// health check has failed often enough; ready again before then, it simply stays.
export type TargetEventKind = 'add' | 'unready' | 'ready-again' | 'remove';

export interface TargetEvent {
  /** Epoch milliseconds. */
  t: number;
  event: TargetEventKind;
  /** address:port */
  target: string;
  /** For `unready`: when it will be removed. */
  removeAt?: number;
}

export class DelayedTargets {
  /** Routed addresses, in the order they were added; `removeAt` once seen not ready. */
  private readonly routed = new Map<string, { removeAt?: number }>();
  private next = 0;

  constructor(private delayMs: number) {}

  get delay(): number {
    return this.delayMs;
  }

  /** A new delay, for removals seen from now on. */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Takes the addresses seen ready now; returns what changed (removals come from expire()). */
  observe(ready: Iterable<string>, now: number): TargetEvent[] {
    const events: TargetEvent[] = [];
    const seen = new Set(ready);
    for (const target of seen) {
      const t = this.routed.get(target);
      if (!t) {
        this.routed.set(target, {});
        events.push({ t: now, event: 'add', target });
      } else if (t.removeAt !== undefined) {
        delete t.removeAt;
        events.push({ t: now, event: 'ready-again', target });
      }
    }
    for (const [target, t] of this.routed) {
      if (seen.has(target) || t.removeAt !== undefined) continue;
      t.removeAt = now + this.delayMs;
      events.push({ t: now, event: 'unready', target, removeAt: t.removeAt });
    }
    return [...events, ...this.expire(now)];
  }

  /** Removes the addresses whose delay has run out by `now`. */
  expire(now: number): TargetEvent[] {
    const events: TargetEvent[] = [];
    for (const [target, t] of this.routed) {
      if (t.removeAt !== undefined && t.removeAt <= now) {
        this.routed.delete(target);
        events.push({ t: now, event: 'remove', target });
      }
    }
    return events;
  }

  /** The targets seen not ready, still routed until their delay runs out. */
  draining(): string[] {
    return [...this.routed].filter(([, t]) => t.removeAt !== undefined).map(([target]) => target);
  }

  /** Every routed target, in the order they were added. */
  list(): string[] {
    return [...this.routed.keys()];
  }
}
