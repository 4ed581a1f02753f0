// What outcomes do with each Pod and kubelet Event of the streams (outcome-watch.ts): drop those of
// namespaces not opted in (the Namespace cache's label, now), classify the rest
// (src/engine/outcomes/), remember them (OutcomeMemory, bounded) and report each finding once.
// Pods still waiting on gracekeeper's probe are checked against their bound by sweep().
import type { Logger } from 'pino';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import { eventFinding, isReadinessFailure, readinessFindings, shutdownFindings } from '../engine/outcomes/classify.js';
import { eventFacts } from '../engine/outcomes/event-facts.js';
import { podFacts } from '../engine/outcomes/pod-facts.js';
import type { Finding, WorkloadRef } from '../engine/outcomes/types.js';
import { isExcludedNamespace } from '../engine/scope.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { INJECT_KEY } from '../settings/keys.js';
import { OutcomeMemory, type RememberedPod } from './outcome-memory.js';
import type { NamespaceSource } from './sources.js';
import type { StreamEvent } from './stream-watch.js';

export interface OutcomeTrackerOptions {
  log: Logger;
  namespaces: Pick<NamespaceSource, 'get'>;
  settings: () => ClusterSettings;
  onFinding?: (finding: Finding) => void;
  /** Told of each pod of an opted-in namespace as it arrives (the metric's series start at 0). */
  onNamespace?: (namespace: string) => void;
  now?: () => number;
  memory?: OutcomeMemory;
}

export class OutcomeTracker {
  readonly memory: OutcomeMemory;
  private readonly now: () => number;

  constructor(private readonly options: OutcomeTrackerOptions) {
    this.now = options.now ?? Date.now;
    this.memory = options.memory ?? new OutcomeMemory(undefined, undefined, this.now);
  }

  outcomes(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined {
    return this.memory.outcomes(namespace, workload);
  }

  remembered(): { pods: number; workloads: number } {
    return { pods: this.memory.pods.size, workloads: this.memory.workloadCount() };
  }

  /** Whether a namespace is opted in now (its label in the Namespace cache) and not excluded. */
  optedIn(namespace: string): boolean {
    if (isExcludedNamespace(namespace, this.options.settings())) return false;
    return this.options.namespaces.get(namespace)?.labels[INJECT_KEY] === 'enabled';
  }

  onPod(type: StreamEvent, object: unknown): void {
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
        // Only a started container has a start to time from: the facts are kept for the sweep then only.
        const started = facts.containers.some((c) => c.startedAt && facts.probedByGracekeeper.includes(c.name));
        pod.pending = pod.probePassed || type === 'DELETED' || facts.deletionTimestamp || !started ? undefined : facts;
      }
    } catch (err) {
      this.options.log.warn({ err }, 'outcomes: a pod could not be read; skipped');
    }
  }

  onEvent(type: StreamEvent, object: unknown): void {
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
      this.options.log.warn({ err }, 'outcomes: an event could not be read; skipped');
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
