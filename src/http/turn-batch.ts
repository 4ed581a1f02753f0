// Admissions that become ready in the same turn of the event loop run back to back, in the turn's
// check phase (setImmediate), instead of each one between the socket reads, TLS and HTTP parsing
// of the others. Under concurrent load the engine's code and data then stay in the CPU's caches
// from one admission to the next: a small Pod's CPU per admission at concurrency 16 fell by about
// a third, and throughput rose by half (docs/performance.md). An admission with nothing else in
// flight runs at once: deferring it would only add a turn to its latency.

/** Runs `task` now, or later in this turn with the others; a throw of a deferred task goes to `failed`. */
export type Schedule = (task: () => void, failed: (err: unknown) => void) => void;

/**
 * A scheduler that defers a task while `concurrent()` says other requests are in flight (or a batch
 * is already waiting), else runs it at once, where a throw reaches the caller as before. Tasks run
 * in the order they came.
 */
export function turnBatch(concurrent: () => boolean): Schedule {
  let queue: [() => void, (err: unknown) => void][] = [];
  const drain = (): void => {
    const tasks = queue;
    queue = [];
    for (const [task, failed] of tasks) {
      try {
        task();
      } catch (err) {
        failed(err);
      }
    }
  };
  return (task, failed) => {
    if (queue.length === 0 && !concurrent()) return task();
    if (queue.push([task, failed]) === 1) setImmediate(drain);
  };
}
