// spec.minReadySeconds of Deployments, StatefulSets, DaemonSets and ReplicaSets: set from
// `min-ready-seconds` only when the workload has none of its own.

/** The value gracekeeper sets, or undefined to leave the field as it is. */
export function decideMinReadySeconds(current: number | undefined, wanted: number | undefined): number | undefined {
  return current === undefined ? wanted : undefined;
}
