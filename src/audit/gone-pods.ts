// A pod already deleted leaves the kubelet's Events behind (an hour, the API server's default
// --event-ttl) but no object that names its workload. Its controllers named it, though, and in
// fixed shapes: a Deployment's pod is <deployment>-<pod-template-hash>-<5 characters> (its
// ReplicaSet's name and generateName's suffix), a DaemonSet's and a Job's <name>-<5 characters>, a
// StatefulSet's <name>-<ordinal>, a CronJob's <cronjob>-<scheduled minute>-<5 characters>. The
// audit reads those names back, strictly (the shape of the rest must match, and the longest name
// wins), so that a FailedPreStopHook of a pod since replaced still counts for its workload.
import type { WorkloadRef } from '../engine/outcomes/types.js';

/** The suffix each kind's pods carry after "<name>-". */
const SUFFIX: Record<string, RegExp> = {
  Deployment: /^[a-z0-9]{1,10}-[a-z0-9]{5}$/,
  DaemonSet: /^[a-z0-9]{5}$/,
  Job: /^[a-z0-9]{5}$/,
  StatefulSet: /^\d+$/,
  CronJob: /^\d+-[a-z0-9]{5}$/,
};

/** The workload among `workloads` (one namespace's) whose pod `pod` was, by its name; undefined when none or unsure. */
export function workloadOfGonePod(pod: string, workloads: readonly WorkloadRef[]): WorkloadRef | undefined {
  let best: WorkloadRef | undefined;
  for (const w of workloads) {
    const suffix = SUFFIX[w.kind];
    if (!suffix || !pod.startsWith(`${w.name}-`) || !suffix.test(pod.slice(w.name.length + 1))) continue;
    if (!best || w.name.length > best.name.length) best = w;
  }
  return best;
}
