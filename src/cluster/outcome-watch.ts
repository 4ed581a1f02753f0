// Outcomes at the edge: one Pod stream and one field-selected Event stream per kubelet reason
// (field selectors match exact values only, so one each), neither cached; what is kept is the
// bounded OutcomeMemory. Only namespaces opted in (the Namespace cache's label) are looked at;
// everything else is dropped as it arrives. Each new finding is logged once (names only, never
// content), counted, and remembered for the workload's next UPDATE and for the audit. Fail-open:
// a broken stream only means fewer findings, never a refused admission.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { WATCHED_REASONS } from '../engine/outcomes/event-facts.js';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import type { WorkloadRef } from '../engine/outcomes/types.js';
import { OutcomeTracker, type OutcomeTrackerOptions } from './outcome-tracker.js';
import type { Getter } from './raw-get.js';
import type { NamespaceSource, OutcomeSource, SourceState } from './sources.js';
import { StreamWatch } from './stream-watch.js';

export type { OutcomeSource } from './sources.js';

/** How often pods waiting on gracekeeper's probe are checked against their bound. */
export const SWEEP_MS = 30_000;

export interface OutcomeWatchOptions extends OutcomeTrackerOptions {
  get: Getter;
  log: Logger;
  namespaces: NamespaceSource;
  onRestart?: (stream: string) => void;
  sweepMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export class OutcomeWatch implements OutcomeSource {
  private readonly streams: StreamWatch[];
  private readonly tracker: OutcomeTracker;
  private timer?: NodeJS.Timeout;
  private waiting?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    config: KubeConfig,
    private readonly options: OutcomeWatchOptions,
  ) {
    this.tracker = new OutcomeTracker(options);
    const common = {
      get: options.get,
      log: options.log,
      backoffInitialMs: options.backoffInitialMs,
      backoffMaxMs: options.backoffMaxMs,
    };
    this.streams = [
      new StreamWatch(config, {
        ...common,
        name: 'pods',
        path: '/api/v1/pods',
        deliverListed: true,
        onObject: (type, pod) => this.tracker.onPod(type, pod),
        onRestart: () => options.onRestart?.('pods'),
      }),
      ...WATCHED_REASONS.map(
        (reason) =>
          new StreamWatch(config, {
            ...common,
            name: `events:${reason}`,
            path: '/api/v1/events',
            fieldSelector: `involvedObject.kind=Pod,reason=${reason}`,
            // Events from before gracekeeper started are not news: the list only gives the resourceVersion.
            deliverListed: false,
            onObject: (type, event) => this.tracker.onEvent(type, event),
            onRestart: () => options.onRestart?.(`events:${reason}`),
          }),
      ),
    ];
  }

  outcomes(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined {
    return this.tracker.outcomes(namespace, workload);
  }

  states(): Array<{ stream: string; state: SourceState }> {
    return this.streams.map((s, i) => ({ stream: i === 0 ? 'pods' : `events:${WATCHED_REASONS[i - 1]}`, state: s.state() }));
  }

  remembered(): { pods: number; workloads: number } {
    return this.tracker.remembered();
  }

  /**
   * Starts the streams once the Namespace cache is synced: a pod listed before would be judged
   * against an empty cache (not opted in) and dropped.
   */
  start(): void {
    if (this.stopped) return;
    if (!this.options.namespaces.synced()) {
      this.waiting = setTimeout(() => this.start(), 100);
      this.waiting.unref();
      return;
    }
    for (const s of this.streams) s.start();
    this.timer = setInterval(() => this.tracker.sweep(), this.options.sweepMs ?? SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.waiting);
    clearInterval(this.timer);
    await Promise.allSettled(this.streams.map((s) => s.stop()));
  }
}
