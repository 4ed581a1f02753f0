// What outcomes remember, bounded: the pods of opted-in namespaces seen recently (to name the
// workload of a kubelet Event, to report each finding once, to time gracekeeper's probe) and each
// workload's recent outcomes. Two LRUs; nothing here grows past its capacity (docs/scale.md).
import { emptyOutcomes, type WorkloadOutcomes } from '../engine/outcomes/advice.js';
import type { Finding, PodFacts, WorkloadRef } from '../engine/outcomes/types.js';
import { Lru } from './lru.js';

/** Pods remembered (names, the workload, what was reported; docs/scale.md has what 10,000 cost). */
export const POD_CAPACITY = 20_000;
/** Workloads whose outcomes are remembered (a name and five counts each). */
export const WORKLOAD_CAPACITY = 10_000;
/** Outcomes older than this are forgotten: "recent" is the last day. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;

export interface RememberedPod {
  uid: string;
  workload: WorkloadRef;
  /** "outcome/container" already reported for this pod. */
  reported: Set<string>;
  /** Readiness probe failures (kubelet Unhealthy events) seen for it. */
  unhealthy: number;
  /** Set once gracekeeper's probe passed on it: nothing more to time. */
  probePassed?: boolean;
  /** The latest facts while gracekeeper's probe is still to be decided; dropped once decided. */
  pending?: PodFacts;
}

interface RememberedWorkload extends WorkloadOutcomes {
  updatedAt: number;
}

export const workloadKey = (namespace: string, w: WorkloadRef) => `${namespace}/${w.kind}/${w.name}`;

export class OutcomeMemory {
  readonly pods: Lru<string, RememberedPod>;
  private readonly workloads: Lru<string, RememberedWorkload>;

  constructor(
    podCapacity = POD_CAPACITY,
    workloadCapacity = WORKLOAD_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {
    this.pods = new Lru(podCapacity);
    this.workloads = new Lru(workloadCapacity);
  }

  /** The pod (by namespace/name), remembered from now if new. */
  pod(facts: PodFacts): RememberedPod {
    const key = `${facts.namespace}/${facts.name}`;
    let pod = this.pods.get(key);
    if (!pod || pod.uid !== facts.uid) {
      pod = { uid: facts.uid, workload: facts.workload, reported: new Set(), unhealthy: 0 };
      this.pods.set(key, pod);
    }
    return pod;
  }

  knownPod(namespace: string, name: string): RememberedPod | undefined {
    return this.pods.peek(`${namespace}/${name}`);
  }

  /** Notes a finding once per pod, outcome and container; true when it is new. */
  note(finding: Finding, pod: RememberedPod): boolean {
    const tag = `${finding.outcome}/${finding.container ?? ''}`;
    if (pod.reported.has(tag)) return false;
    pod.reported.add(tag);
    const key = workloadKey(finding.namespace, finding.workload);
    const w: RememberedWorkload = this.fresh(key) ?? { ...emptyOutcomes(finding.workload), updatedAt: 0 };
    // Counted per pod: a second container killed in the same pod is the same shutdown.
    const firstOfPod = ![...pod.reported].some((t) => t !== tag && t.startsWith(`${finding.outcome}/`));
    if (firstOfPod) {
      if (finding.outcome === 'clean') w.clean++;
      else if (finding.outcome === 'killed-at-grace-period') w.killed++;
      else if (finding.outcome === 'prestop-hook-failed') w.hookFailed++;
      else if (finding.outcome === 'readiness-never-passed') w.neverReady++;
      else w.readyPassed++;
    }
    w.updatedAt = this.now();
    this.workloads.set(key, w);
    return true;
  }

  /** A workload's recent outcomes (a copy), undefined when nothing is known within the retention. */
  outcomes(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined {
    const w = this.fresh(workloadKey(namespace, workload));
    if (!w) return undefined;
    const { updatedAt: _updatedAt, ...copy } = w;
    return { ...copy, workload: { ...w.workload } };
  }

  workloadCount(): number {
    return this.workloads.size;
  }

  private fresh(key: string): RememberedWorkload | undefined {
    const w = this.workloads.peek(key);
    if (w && this.now() - w.updatedAt > RETENTION_MS) {
      this.workloads.delete(key);
      return undefined;
    }
    return w;
  }
}
