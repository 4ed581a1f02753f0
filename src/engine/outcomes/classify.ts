// The classification, pure: a Pod's facts (and the kubelet's Events about it) to findings.
//
// What the kubelet does, read in its sources (pkg/kubelet/kuberuntime/kuberuntime_container.go,
// killContainer, 1.35 to 1.37 alike): it records `Killing` ("Stopping container NAME"), runs the
// preStop hook for at most the grace period (a failing hook records `FailedPreStopHook` with the
// message "PreStopHook failed", and the kill goes on), subtracts the hook's whole seconds from the
// grace period (never below 2 s) and asks the runtime to stop the container with what is left: the
// runtime sends the stop signal, then SIGKILL when that time runs out. A container SIGKILLed so
// ends with exitCode 137 (128 + 9) and a finishedAt at or after the deadline the API server wrote
// into metadata.deletionTimestamp (delete time + grace period: the kubelet starts a little later
// and rounds the hook's time down, so its deadline is never earlier). The kubelet records no event
// for that kill; it records `ExceededGracePeriod` only when a pod it evicts or preempts is still
// not stopped after 1.5 x its grace period (pkg/kubelet/pod_workers.go, killPodNow).
import type { Finding, PodEventFacts, PodFacts } from './types.js';
import { EXCEEDED_GRACE_PERIOD, FAILED_PRESTOP_HOOK, UNHEALTHY } from './event-facts.js';

/** 128 + SIGKILL. */
export const SIGKILL_EXIT = 137;
/** Timestamps in pod status have whole seconds; node and API server clocks differ a little. */
export const DEADLINE_SLACK_MS = 2000;

function base(pod: PodFacts): Pick<Finding, 'namespace' | 'workload' | 'pod' | 'uid'> {
  return { namespace: pod.namespace, workload: pod.workload, pod: pod.name, uid: pod.uid };
}

/**
 * How a deleted pod stopped, once every container has stopped: one `killed-at-grace-period` per
 * container killed at the deadline, else one `clean`. Nothing while a container still runs, for a
 * pod not being deleted, or for a forced deletion (grace period 0: the kill was asked for).
 */
export function shutdownFindings(pod: PodFacts): Finding[] {
  if (!pod.deletionTimestamp || (pod.deletionGracePeriodSeconds ?? 1) <= 0) return [];
  if (pod.containers.length === 0 || pod.containers.some((c) => !c.terminated)) return [];
  const deadline = Date.parse(pod.deletionTimestamp);
  if (Number.isNaN(deadline)) return [];
  const killed: Finding[] = [];
  for (const c of pod.containers) {
    const t = c.terminated;
    if (!t || t.exitCode !== SIGKILL_EXIT || t.reason === 'OOMKilled' || !t.finishedAt) continue;
    const finished = Date.parse(t.finishedAt);
    if (Number.isNaN(finished) || finished < deadline - DEADLINE_SLACK_MS) continue;
    killed.push({
      ...base(pod),
      outcome: 'killed-at-grace-period',
      container: c.name,
      evidence: `exitCode 137 at the grace period's end (${pod.deletionGracePeriodSeconds ?? '?'}s)`,
    });
  }
  return killed.length > 0 ? killed : [{ ...base(pod), outcome: 'clean', evidence: 'every container stopped in time' }];
}

/**
 * gracekeeper's readiness probe on a pod: `readiness-passed` for a probed container that is Ready,
 * `readiness-never-passed` for one running longer than the bound without being Ready. Nothing for
 * a pod being deleted, or while within the bound.
 */
export function readinessFindings(pod: PodFacts, nowMs: number, unhealthy = 0): Finding[] {
  const out: Finding[] = [];
  for (const name of pod.probedByGracekeeper) {
    const c = pod.containers.find((s) => s.name === name);
    if (!c) continue;
    if (c.ready) {
      out.push({ ...base(pod), outcome: 'readiness-passed', container: name, evidence: 'Ready' });
      continue;
    }
    if (pod.deletionTimestamp || !c.startedAt) continue;
    const started = Date.parse(c.startedAt);
    if (Number.isNaN(started) || nowMs - started <= pod.notReadyBoundSeconds * 1000) continue;
    out.push({
      ...base(pod),
      outcome: 'readiness-never-passed',
      container: name,
      evidence: `not Ready ${Math.round((nowMs - started) / 1000)}s after start, ${unhealthy} readiness failures seen`,
    });
  }
  return out;
}

/** A kubelet Event about a pod whose workload is known: a finding, or undefined (Unhealthy is evidence only). */
export function eventFinding(event: PodEventFacts, pod: Pick<PodFacts, 'workload' | 'uid'>): Finding | undefined {
  const common = { namespace: event.namespace, workload: pod.workload, pod: event.pod, uid: event.uid ?? pod.uid };
  const container = event.container ? { container: event.container } : {};
  if (event.reason === FAILED_PRESTOP_HOOK)
    return { ...common, ...container, outcome: 'prestop-hook-failed', evidence: 'kubelet event FailedPreStopHook' };
  if (event.reason === EXCEEDED_GRACE_PERIOD)
    return { ...common, ...container, outcome: 'killed-at-grace-period', evidence: 'kubelet event ExceededGracePeriod' };
  return undefined;
}

/** Whether an Event is a failure of a readiness probe (evidence for readiness-never-passed). */
export function isReadinessFailure(event: PodEventFacts): boolean {
  return event.reason === UNHEALTHY && event.probe === 'Readiness';
}
