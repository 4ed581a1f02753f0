// The audit's outcomes: the Pods of opted-in namespaces the API server still holds and the
// kubelet's Events about them (kept an hour by default: the API server's --event-ttl), through the
// classification the webhook uses (src/engine/outcomes/), into each workload's recent outcomes.
// What the audit can see is what is still stored: a pod already deleted after a kill at its grace
// period is gone (the kubelet records no event for that kill), which the webhook's own watch
// counted when it happened (gracekeeper_pod_outcomes_total). The Events of a deleted pod
// (FailedPreStopHook, ExceededGracePeriod) still count, for the workload its name says (gone-pods.ts).
import { OutcomeMemory } from '../cluster/outcome-memory.js';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import { eventFinding, isReadinessFailure, readinessFindings, shutdownFindings } from '../engine/outcomes/classify.js';
import { eventFacts } from '../engine/outcomes/event-facts.js';
import type { PodEventFacts } from '../engine/outcomes/types.js';
import { podFacts } from '../engine/outcomes/pod-facts.js';
import type { WorkloadRef } from '../engine/outcomes/types.js';
import { workloadOfGonePod } from './gone-pods.js';

export type OutcomeLookup = (namespace: string, workload: WorkloadRef) => WorkloadOutcomes | undefined;

/**
 * `workloads`: the audited workloads by namespace, to name the workload of a deleted pod whose
 * Events remain.
 */
export function auditOutcomes(
  pods: readonly unknown[],
  events: readonly unknown[],
  nowMs: number,
  workloads: ReadonlyMap<string, readonly WorkloadRef[]> = new Map(),
): OutcomeLookup {
  // Room for every pod, and for every deleted pod an Event names.
  const room = Math.max(pods.length + events.length, 1);
  const memory = new OutcomeMemory(room, room, () => nowMs);
  const all = pods.map(podFacts).filter((f) => f !== undefined);
  for (const f of all) memory.pod(f);
  for (const raw of events) {
    const e = eventFacts(raw);
    if (!e) continue;
    const pod = memory.knownPod(e.namespace, e.pod) ?? gonePod(memory, e, workloads.get(e.namespace) ?? []);
    if (!pod) continue;
    if (isReadinessFailure(e)) pod.unhealthy += e.count;
    const finding = eventFinding(e, pod);
    if (finding) memory.note(finding, pod);
  }
  for (const f of all) {
    const pod = memory.pod(f);
    for (const finding of [...shutdownFindings(f), ...readinessFindings(f, nowMs, pod.unhealthy)]) memory.note(finding, pod);
  }
  return (namespace, workload) => memory.outcomes(namespace, workload);
}

/** A deleted pod that an Event names, remembered under the workload its name says. */
function gonePod(memory: OutcomeMemory, e: PodEventFacts, workloads: readonly WorkloadRef[]) {
  const workload = workloadOfGonePod(e.pod, workloads);
  if (!workload) return undefined;
  return memory.pod({
    namespace: e.namespace,
    name: e.pod,
    uid: e.uid ?? `deleted:${e.pod}`,
    workload,
    probedByGracekeeper: [],
    notReadyBoundSeconds: 0,
    containers: [],
  });
}
