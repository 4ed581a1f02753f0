// What gracekeeper learns of how pods actually stopped and started, as plain data: the edge
// (src/cluster/outcome-watch.ts) trims Pods and kubelet Events into these shapes; the pure
// classification (classify.ts) and the advice (advice.ts) read only them.

/** One outcome of one pod (a metric's `outcome` label; docs/outcomes.md says what each means). */
export type PodOutcome =
  /** Every container stopped before the grace period ran out. */
  | 'clean'
  /** A container was SIGKILLed at the end of its grace period (exit 137 at the deadline), or the kubelet said ExceededGracePeriod. */
  | 'killed-at-grace-period'
  /** The kubelet's FailedPreStopHook: the preStop hook did not run to completion. */
  | 'prestop-hook-failed'
  /** gracekeeper's readiness probe never passed, long after the container started. */
  | 'readiness-never-passed'
  /** gracekeeper's readiness probe passed (the container became Ready). */
  | 'readiness-passed';

export const POD_OUTCOMES: readonly PodOutcome[] = [
  'clean',
  'killed-at-grace-period',
  'prestop-hook-failed',
  'readiness-never-passed',
  'readiness-passed',
];

/** The workload a pod belongs to: its controller (a ReplicaSet's Deployment), or the Pod itself. */
export interface WorkloadRef {
  kind: string;
  name: string;
}

export interface ContainerFacts {
  name: string;
  ready: boolean;
  /** state.running.startedAt (RFC 3339), while running. */
  startedAt?: string;
  /** state.terminated, once stopped. */
  terminated?: { exitCode: number; reason?: string; finishedAt?: string };
}

/** What gracekeeper keeps of a Pod in an opted-in namespace. Never the pod's content. */
export interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  workload: WorkloadRef;
  /** metadata.deletionTimestamp: when the grace period runs out (the API server sets now + grace). */
  deletionTimestamp?: string;
  /** metadata.deletionGracePeriodSeconds (0: a forced deletion). */
  deletionGracePeriodSeconds?: number;
  /** Containers whose readiness probe gracekeeper wrote (its record's added.readinessProbe). */
  probedByGracekeeper: string[];
  /** Seconds after a container starts past which a probe that never passed is reported (see bound.ts). */
  notReadyBoundSeconds: number;
  containers: ContainerFacts[];
}

/** A kubelet Event about a Pod, trimmed: never its message beyond the probe kind. */
export interface PodEventFacts {
  namespace: string;
  /** The Pod's name (involvedObject.name). */
  pod: string;
  /** involvedObject.uid, when set. */
  uid?: string;
  reason: string;
  /** The container, from involvedObject.fieldPath `spec.containers{name}`. */
  container?: string;
  /** For reason Unhealthy: which probe failed, from the message's first word (Readiness, Liveness, Startup). */
  probe?: string;
  /** How many times the kubelet saw it (count, or series.count); at least 1. */
  count: number;
}

/** One finding about one pod, for metrics, the log line and the workload's summary. */
export interface Finding {
  namespace: string;
  workload: WorkloadRef;
  pod: string;
  uid: string;
  outcome: PodOutcome;
  /** The container it concerns, when one. */
  container?: string;
  /** Short evidence, no object content: "exitCode 137 at the deadline", "4 Unhealthy events". */
  evidence: string;
}
