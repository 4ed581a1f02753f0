// The engine's input, built one way for its three callers: the webhook (facts from the informers'
// caches, src/http/facts.ts), `gracekeeper mutate` (from the documents and its flags,
// src/cli/mutate.ts) and the audit (from the cluster view it read, src/audit/collect.ts). Each
// answers the same questions through ClusterFacts; which questions a request asks is decided here
// alone, so the command line and the webhook give the same answer for the same objects by
// construction. Pure: the edge reads what its caches lack before it calls buildInput.
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { TrafficFacts } from '../traffic/types.js';
import type { KubeVersion } from './kube-version.js';
import type { WorkloadOutcomes } from './outcomes/advice.js';
import type { WorkloadRef } from './outcomes/types.js';
import { ownerToLookUp, type OwnerRef } from './owner.js';
import { isExcludedNamespace } from './scope.js';
import { governingService, podLabels } from './target.js';
import type { AdmissionInput, AdmissionOperation, GroupVersionKind } from './types.js';

/** What gracekeeper reads of a Namespace: its annotations (a settings layer) and labels (meshes). */
export interface NamespaceInfo {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What an admission is about: the fields of the request the engine reads. */
export interface AdmissionSubject {
  kind: GroupVersionKind;
  operation: AdmissionOperation;
  subResource?: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  /** The request's name, else the object's: the workload whose outcomes are asked. */
  name?: string;
  object: unknown;
}

/**
 * What is known of the cluster, asked synchronously. A source that cannot know something leaves
 * its question out (no owners offline, no outcomes in the audit); an unknown answer is undefined.
 */
export interface ClusterFacts {
  /** A Namespace's labels and annotations. */
  namespace(name: string): NamespaceInfo | undefined;
  /** The API server's version; undefined: assume the newest. */
  kubeVersion(): KubeVersion | undefined;
  /** What sends traffic to the pods with these labels (Services, Ingresses, routes). */
  traffic?(namespace: string, labels: Record<string, string> | undefined, governing: string | undefined): TrafficFacts;
  /** The gracekeeper annotations of a Pod's owning workload (see owner.ts). */
  ownerAnnotations?(namespace: string, owner: OwnerRef): Record<string, string> | undefined;
  /** How a workload's recent pods stopped and started. */
  outcomes?(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined;
}

/** Whether the engine reads any fact of the cluster for a request: not in a namespace it skips. */
export function readsFacts(namespace: string, cluster: ClusterSettings): boolean {
  return !isExcludedNamespace(namespace, cluster);
}

/** The engine's input for a request: the request, the facts it asks, the settings in force. */
export function buildInput(subject: AdmissionSubject, facts: ClusterFacts, cluster: ClusterSettings): AdmissionInput {
  const { kind, operation, subResource, namespace, object } = subject;
  const reads = readsFacts(namespace, cluster);
  const info = reads ? facts.namespace(namespace) : undefined;
  const owner = reads && facts.ownerAnnotations ? ownerToLookUp(subject) : undefined;
  const ownerAnnotations = owner ? facts.ownerAnnotations?.(namespace, owner) : undefined;
  const traffic = reads ? podTraffic(subject, facts) : undefined;
  const workload = reads && facts.outcomes ? outcomeWorkload(subject) : undefined;
  const outcomes = workload ? facts.outcomes?.(namespace, workload) : undefined;
  return {
    kind,
    operation,
    ...(subResource ? { subResource } : {}),
    namespace,
    object,
    namespaceLabels: info?.labels ?? {},
    namespaceAnnotations: info?.annotations ?? {},
    ...(ownerAnnotations ? { ownerAnnotations } : {}),
    ...(traffic ? { traffic } : {}),
    ...(outcomes ? { outcomes } : {}),
    kubeVersion: facts.kubeVersion(),
    cluster,
  };
}

/** What sends traffic to the object's pods, as buildInput asks it (undefined when the source cannot tell). */
export function podTraffic(subject: AdmissionSubject, facts: ClusterFacts): TrafficFacts | undefined {
  const { kind, namespace, object } = subject;
  return facts.traffic?.(namespace, podLabels(kind, object), governingService(kind, object));
}

/** Workload kinds whose pods' outcomes are told at their UPDATE (their pods carry the workload's name). */
const OUTCOME_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** The workload whose recent outcomes an UPDATE of a workload of the apps group is told; else undefined. */
function outcomeWorkload(subject: AdmissionSubject): WorkloadRef | undefined {
  const { kind, operation, subResource } = subject;
  if (operation !== 'UPDATE' || kind.group !== 'apps' || !OUTCOME_KINDS.has(kind.kind) || subResource) return undefined;
  const meta = (subject.object as { metadata?: { name?: unknown } } | undefined)?.metadata;
  const name = subject.name ? subject.name : meta?.name;
  return typeof name === 'string' && name ? { kind: kind.kind, name } : undefined;
}
