// What the server needs from a cluster, behind small interfaces: Namespaces' labels and annotations
// from a cache, the API server's version, a Pod's owning workload, what sends traffic to pods, and
// how pods stopped and started. The real ones (kubeconfig.ts builds them) use
// @kubernetes/client-node; tests and "no cluster" use the in-memory ones (memory.ts). This file
// imports no source: each implementation imports its interface from here.
import type { NamespaceInfo } from '../engine/input.js';
import type { KubeVersion } from '../engine/kube-version.js';
import type { OwnerRef } from '../engine/owner.js';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import type { WorkloadRef } from '../engine/outcomes/types.js';
import type { TrafficFacts } from '../traffic/types.js';

export type SourceState = 'disabled' | 'starting' | 'synced' | 'error';

/** What gracekeeper reads of a Namespace (the engine's input builder asks it: engine/input.ts). */
export type { NamespaceInfo };

export interface NamespaceSource {
  /** A namespace from the cache; undefined when the namespace is not known. */
  get(name: string): NamespaceInfo | undefined;
  /** For a namespace the cache does not hold yet: ask the API server once (absent without a cluster). */
  lookup?(name: string): Promise<NamespaceInfo | undefined>;
  /** Whether the cache has been filled at least once (readiness waits for it). */
  synced(): boolean;
  state(): SourceState;
  /** Namespaces in the cache. */
  size(): number;
  start(): void;
  stop(): Promise<void>;
}

export interface VersionSource {
  /** The API server's version; undefined when unknown (the engine then assumes the newest). */
  current(): KubeVersion | undefined;
  /** Whether the version is known well enough to serve (always true without a cluster). */
  ready(): boolean;
  start(): void;
  stop(): Promise<void>;
}

/** The gracekeeper annotations of a Pod's owning workload (see engine/owner.ts). */
export interface OwnerSource {
  annotations(namespace: string, owner: OwnerRef): Promise<Record<string, string> | undefined>;
}

export interface TrafficSourceState {
  resource: string;
  state: SourceState;
  objects: number;
}

export interface TrafficSource {
  facts(namespace: string, labels: Record<string, string> | undefined, governing?: string): TrafficFacts;
  /** Every kind found at start has been listed once (readiness waits for it). */
  synced(): boolean;
  states(): TrafficSourceState[];
  start(): void;
  stop(): Promise<void>;
}

export interface OutcomeSource {
  /** A workload's recent outcomes, for the warning at its UPDATE. */
  outcomes(namespace: string, workload: WorkloadRef): WorkloadOutcomes | undefined;
  states(): Array<{ stream: string; state: SourceState }>;
  /** Pods and workloads remembered (a gauge: the memory's bound is what matters). */
  remembered(): { pods: number; workloads: number };
  start(): void;
  stop(): Promise<void>;
}

export interface ClusterSource {
  /** For the start-up log line, e.g. "in-cluster", "kubeconfig /x", "none". */
  description: string;
  namespaces: NamespaceSource;
  version: VersionSource;
  /** Absent without a cluster. */
  owners?: OwnerSource;
  /** What sends traffic to pods (absent without a cluster: no paths, `auto` is propagationDelay). */
  traffic?: TrafficSource;
  /** How pods of opted-in namespaces stopped and started (absent without a cluster, or when turned off). */
  outcomes?: OutcomeSource;
}
