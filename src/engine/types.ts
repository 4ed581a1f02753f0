// The engine's input and output, plain data, nothing about transport. The input is built in one
// place (input.ts) for the HTTP edge, `gracekeeper mutate` and the audit.
import type { Operation } from 'fast-json-patch';
import type { AdmissionOperation, GroupVersionKind } from '../kube/gvk.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { TrafficFacts } from '../traffic/types.js';
import type { KubeVersion } from './kube-version.js';
import type { WorkloadOutcomes } from './outcomes/advice.js';

export type { KubeVersion } from './kube-version.js';

export type { AdmissionOperation, GroupVersionKind } from '../kube/gvk.js';

export interface AdmissionInput {
  kind: GroupVersionKind;
  operation: AdmissionOperation;
  subResource?: string;
  /** The namespace of the request (for namespaced objects). */
  namespace: string;
  /** The object as the API server sent it; never modified by the engine. */
  object: unknown;
  /** Labels of the object's Namespace, from the informer cache (empty or absent when unknown). */
  namespaceLabels?: Record<string, string>;
  /** Annotations of the object's Namespace, from the informer cache (empty when unknown). */
  namespaceAnnotations: Record<string, string>;
  /**
   * For a Pod: the gracekeeper annotations of the workload that owns it (its controller's, or that
   * controller's owner: a ReplicaSet's Deployment, a Job's CronJob), when the Pod's template record
   * does not carry them (targets: pods leaves workloads unmutated, so there is no record).
   */
  ownerAnnotations?: Record<string, string>;
  /** What sends traffic to the pods (Services, Ingresses, routes), for `pre-stop-sleep: auto`. */
  traffic?: TrafficFacts;
  /** For an UPDATE of a workload: how its recent pods stopped and started (advice only, never a change). */
  outcomes?: WorkloadOutcomes;
  /** The API server's version; undefined means "assume the newest". */
  kubeVersion?: KubeVersion;
  cluster: ClusterSettings;
}

/** What happened, for logs, metrics and the audit annotation. */
export type Outcome = 'skipped' | 'unchanged' | 'mutated' | 'denied';

export interface AdmissionResult {
  outcome: Outcome;
  /** Why the object was skipped (out of scope, opted out, ...). */
  reason?: string;
  /** The object after mutation (the input itself when nothing changed). */
  object: unknown;
  /** RFC 6902 operations that turn the input into `object`; empty when nothing changed. */
  patch: Operation[];
  warnings: string[];
  /** Set when the request must be denied: one message naming every bad key. */
  denial?: string;
  /** Short machine-readable change tags, e.g. "preStop:app", "terminationGracePeriodSeconds". */
  changes: string[];
  /** Number of invalid gracekeeper annotations seen (for metrics). */
  invalidAnnotations: number;
  /** The traffic-path family that decided an `auto` sleep (for metrics). */
  sleepFamily?: string;
}
