// Outcomes at the edge: one Pod stream and one field-selected Event stream per kubelet reason
// (field selectors match exact values only, so one each), neither cached; what is kept is the
// bounded OutcomeMemory. Only namespaces opted in (the Namespace cache's label) are looked at;
// everything else is dropped as it arrives. Each new finding is logged once (names only, never
// content), counted, and remembered for the workload's next UPDATE and for the audit. Fail-open:
// a broken stream only means fewer findings, never a refused admission.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { eventFinding, isReadinessFailure, readinessFindings, shutdownFindings } from '../engine/outcomes/classify.js';
import { eventFacts, WATCHED_REASONS } from '../engine/outcomes/event-facts.js';
import { podFacts } from '../engine/outcomes/pod-facts.js';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import type { Finding, WorkloadRef } from '../engine/outcomes/types.js';
import { isExcludedNamespace } from '../engine/scope.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { INJECT_KEY } from '../settings/keys.js';
import { OutcomeMemory, type RememberedPod } from './outcome-memory.js';
import type { Getter } from './raw-get.js';
import type { NamespaceSource, SourceState } from './sources.js';
import { StreamWatch, type StreamEvent } from './stream-watch.js';

/** How often pods waiting on gracekeeper's probe are checked against their bound. */
export const SWEEP_MS = 30_000;

export interface OutcomeSource {
  /** A workload's recent outcomes, for the warning at its UPDATE. */
  outcomes(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined;
  states(): Array<{ stream: string; state: SourceState }>;
  /** Pods and workloads remembered (a gauge: the memory's bound is what matters). */
  remembered(): { pods: number; workloads: number };
  start(): void;
  stop(): Promise<void>;
}

export interface OutcomeWatchOptions {
  get: Getter;
  log: Logger;
  namespaces: NamespaceSource;
  settings: () => ClusterSettings;
  onFinding?: (finding: Finding) => void;
  /** Told of each pod of an opted-in namespace as it arrives (the metric's series start at 0). */
  onNamespace?: (namespace: string) => void;
  onRestart?: (stream: string) => void;
  now?: () => number;
  sweepMs?: number;
  memory?: OutcomeMemory;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export class OutcomeWatch implements OutcomeSource {
  private readonly streams: StreamWatch[];
  private readonly memory: OutcomeMemory;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;

  constructor(
    config: KubeConfig,
    private readonly options: OutcomeWatchOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.memory = options.memory ?? new OutcomeMemory(undefined, undefined, this.now);
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
        onObject: (type, pod) => this.onPod(type, pod),
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
            onObject: (type, event) => this.onEvent(type, event),
            onRestart: () => options.onRestart?.(`events:${reason}`),
          }),
      ),
    ];
  }

  outcomes(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined {
    return this.memory.outcomes(namespace, workload);
  }

  states(): Array<{ stream: string; state: SourceState }> {
    return this.streams.map((s, i) => ({ stream: i === 0 ? 'pods' : `events:${WATCHED_REASONS[i - 1]}`, state: s.state() }));
  }

  remembered(): { pods: number; workloads: number } {
    return { pods: this.memory.pods.size, workloads: this.memory.workloadCount() };
  }

  start(): void {
    for (const s of this.streams) s.start();
    this.timer = setInterval(() => this.sweep(), this.options.sweepMs ?? SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled(this.streams.map((s) => s.stop()));
  }

  /** Whether a namespace is opted in now (its label in the Namespace cache) and not excluded. */
  optedIn(namespace: string): boolean {
    if (isExcludedNamespace(namespace, this.options.settings())) return false;
    return this.options.namespaces.get(namespace)?.labels[INJECT_KEY] === 'enabled';
  }

  private onPod(type: StreamEvent, object: unknown): void {
    try {
      const namespace = (object as { metadata?: { namespace?: string } })?.metadata?.namespace;
      if (!namespace || !this.optedIn(namespace)) return;
      this.options.onNamespace?.(namespace);
      const facts = podFacts(object);
      if (!facts) return;
      const pod = this.memory.pod(facts);
      for (const f of shutdownFindings(facts)) this.report(f, pod);
      if (facts.probedByGracekeeper.length > 0 && !pod.probePassed) {
        const found = readinessFindings(facts, this.now(), pod.unhealthy);
        for (const f of found) this.report(f, pod);
        if (found.some((f) => f.outcome === 'readiness-passed')) pod.probePassed = true;
        pod.pending = pod.probePassed || type === 'DELETED' || facts.deletionTimestamp ? undefined : facts;
      }
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'outcomes: a pod could not be read; skipped');
    }
  }

  private onEvent(type: StreamEvent, object: unknown): void {
    try {
      if (type === 'DELETED') return;
      const event = eventFacts(object);
      if (!event || !this.optedIn(event.namespace)) return;
      const pod = this.memory.knownPod(event.namespace, event.pod);
      if (!pod) return;
      if (isReadinessFailure(event)) {
        pod.unhealthy = Math.max(pod.unhealthy, event.count);
        return;
      }
      const finding = eventFinding(event, pod);
      if (finding) this.report(finding, pod);
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'outcomes: an event could not be read; skipped');
    }
  }

  /** Pods waiting on gracekeeper's probe, checked against their bound. */
  sweep(): void {
    const now = this.now();
    for (const pod of this.memory.pods.values()) {
      const facts = pod.pending;
      if (!facts) continue;
      for (const f of readinessFindings(facts, now, pod.unhealthy)) {
        if (f.outcome === 'readiness-never-passed') this.report(f, pod);
      }
    }
  }

  private report(finding: Finding, pod: RememberedPod): void {
    if (!this.memory.note(finding, pod)) return;
    if (finding.outcome === 'readiness-never-passed') pod.pending = undefined;
    this.options.onFinding?.(finding);
  }
}
