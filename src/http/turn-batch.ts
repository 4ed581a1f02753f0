// Admissions that become ready in the same turn of the event loop run back to back, in the turn's
// check phase (setImmediate), instead of each one between the socket reads, TLS and HTTP parsing
// of the others; their answers are written after the last of them is decided. Under concurrent load
// the engine's code and data then stay in the CPU's caches from one admission to the next, and the
// writes (TLS, the loopback or network send) come together rather than between decisions: a small
// Pod's CPU per admission at concurrency 16 fell from 164 to 97 µs and throughput rose by two
// thirds (docs/performance.md). An admission with nothing else in flight runs and is written at once:
// deferring it would only add a turn to its latency. So does a large review (mutate-route.ts gives
// it turns of its own): held for a batch, several parsed large objects would live through it.

/** Runs `fn` now, or, inside a batch, once every task of the batch has run. */
export type AfterBatch = (fn: () => void) => void;

/** Runs `task` now, or later in this turn with the others; a throw of a deferred task goes to `failed`. */
export type Schedule = (task: (after: AfterBatch) => void, failed: (err: unknown) => void) => void;

const now: AfterBatch = (fn) => fn();

/** Runs fn; a throw goes to `failed`, so that one task's failure leaves the rest of the batch. */
function attempt(fn: () => void, failed: (err: unknown) => void): void {
  try {
    fn();
  } catch (err) {
    failed(err);
  }
}

/** Runs a task at once, outside any batch (a throw reaches the caller). */
export const runAlone: Schedule = (task) => task(now);

/**
 * A scheduler that defers a task while `concurrent()` says other requests are in flight (or a batch
 * is already waiting), else runs it at once, where a throw reaches the caller as before. Tasks run
 * in the order they came, then what they handed to `after`, in the order it was handed.
 */
export function turnBatch(concurrent: () => boolean): Schedule {
  let queue: [(after: AfterBatch) => void, (err: unknown) => void][] = [];
  const drain = (): void => {
    const tasks = queue;
    queue = [];
    const later: [() => void, (err: unknown) => void][] = [];
    let draining = true;
    for (const [task, failed] of tasks) {
      // A task that hands its answer over after awaiting a read, once the batch is done, runs it then.
      attempt(() => task((fn) => (draining ? later.push([fn, failed]) : fn())), failed);
    }
    draining = false;
    for (const [fn, failed] of later) attempt(fn, failed);
  };
  return (task, failed) => {
    if (queue.length === 0 && !concurrent()) return task(now);
    if (queue.push([task, failed]) === 1) setImmediate(drain);
  };
}
