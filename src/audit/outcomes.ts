// The audit's outcomes: the Pods of opted-in namespaces the API server still holds and the
// kubelet's Events about them (kept an hour by default: the API server's --event-ttl), through the
// classification the webhook uses (src/engine/outcomes/), into each workload's recent outcomes.
// What the audit can see is what is still stored: a pod already deleted after a kill at its grace
// period is gone (the kubelet records no event for that kill), which the webhook's own watch
// counted when it happened (gracekeeper_pod_outcomes_total).
import { OutcomeMemory } from '../cluster/outcome-memory.js';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import { eventFinding, isReadinessFailure, readinessFindings, shutdownFindings } from '../engine/outcomes/classify.js';
import { eventFacts } from '../engine/outcomes/event-facts.js';
import { podFacts } from '../engine/outcomes/pod-facts.js';
import type { WorkloadRef } from '../engine/outcomes/types.js';

export type OutcomeLookup = (namespace: string, workload: WorkloadRef) => WorkloadOutcomes | undefined;

export function auditOutcomes(pods: readonly unknown[], events: readonly unknown[], nowMs: number): OutcomeLookup {
  const memory = new OutcomeMemory(Math.max(pods.length, 1), Math.max(pods.length, 1), () => nowMs);
  const all = pods.map(podFacts).filter((f) => f !== undefined);
  for (const f of all) memory.pod(f);
  for (const raw of events) {
    const e = eventFacts(raw);
    const pod = e ? memory.knownPod(e.namespace, e.pod) : undefined;
    if (!e || !pod) continue;
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
