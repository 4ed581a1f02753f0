// Prometheus metrics (prom-client), one registry per server so that several can run in a process.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { findKindRule } from '../engine/kinds.js';
import { POD_OUTCOMES } from '../engine/outcomes/types.js';
import type { GroupVersionKind } from '../kube/gvk.js';
import type { SourceState } from '../cluster/sources.js';
import type { TrafficSourceState } from '../cluster/traffic-source.js';

/** Namespaces named in gracekeeper_pod_outcomes_total at most; later ones are counted as "other". */
export const MAX_OUTCOME_NAMESPACES = 1000;

const STATES: readonly SourceState[] = ['disabled', 'starting', 'synced', 'error'];

export interface MetricSources {
  /** The serving certificate's notAfter. */
  certificateNotAfter?: () => Date | undefined;
  informerState?: () => SourceState;
  trafficStates?: () => TrafficSourceState[];
  namespaceCacheSize?: () => number;
  outcomeStates?: () => Array<{ stream: string; state: SourceState }>;
  outcomeMemory?: () => { pods: number; workloads: number };
  now?: () => number;
}

/** Kind label of bounded cardinality: the handled kinds by name, anything else "other". */
export function kindLabel(gvk: GroupVersionKind | undefined): string {
  if (!gvk) return 'unknown';
  return findKindRule(gvk)?.kind ?? 'other';
}

export class Metrics {
  readonly registry = new Registry();
  readonly sources: MetricSources = {};

  readonly admissions = new Counter({
    name: 'gracekeeper_admissions_total',
    help: 'Admission reviews answered, by kind, operation and result (skipped, unchanged, mutated, denied, error)',
    labelNames: ['kind', 'operation', 'result'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'gracekeeper_admission_duration_seconds',
    help: 'Time to review one admission request, from decoded body to encoded response, with the wait for those before it in its turn under concurrent load',
    labelNames: ['result'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly changes = new Counter({
    name: 'gracekeeper_changes_total',
    help: 'Changes written into admitted objects, by type (preStop, readinessProbe, startupProbe, terminationGracePeriodSeconds, ...)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly invalidAnnotations = new Counter({
    name: 'gracekeeper_invalid_annotations_total',
    help: 'Invalid gracekeeper.io annotation values seen, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly internalErrors = new Counter({
    name: 'gracekeeper_internal_errors_total',
    help: 'Unexpected errors while reviewing (the object was admitted unchanged)',
    registers: [this.registry],
  });

  readonly badRequests = new Counter({
    name: 'gracekeeper_bad_requests_total',
    help: 'Requests to /mutate that were not a reviewable AdmissionReview, by HTTP status',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly certificateReloads = new Counter({
    name: 'gracekeeper_certificate_reloads_total',
    help: 'Serving certificate reloads from disk, by result (success, failure)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly configReloads = new Counter({
    name: 'gracekeeper_config_reloads_total',
    help: 'Cluster settings reloads from the config file, by result (success, failure)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly trafficDecisions = new Counter({
    name: 'gracekeeper_traffic_path_decisions_total',
    help: 'Admissions whose pre-stop-sleep auto was decided, by the deciding family (propagationDelay, aws-alb-ip, gke-neg, ...)',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });

  readonly trafficInformerRestarts = new Counter({
    name: 'gracekeeper_traffic_informer_restarts_total',
    help: 'Watch restarts after an error of the informers of traffic paths, by resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly informerRestarts = new Counter({
    name: 'gracekeeper_namespace_informer_restarts_total',
    help: 'Namespace watch restarts after an error',
    registers: [this.registry],
  });

  readonly podOutcomes = new Counter({
    name: 'gracekeeper_pod_outcomes_total',
    help: "How pods of opted-in namespaces stopped and started, by the pods' namespace (pod_namespace) and outcome (clean, killed-at-grace-period, prestop-hook-failed, readiness-never-passed, readiness-passed)",
    labelNames: ['pod_namespace', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly outcomeRestarts = new Counter({
    name: 'gracekeeper_outcome_stream_restarts_total',
    help: 'Restarts after an error of the streams outcomes watch (pods, events:<reason>), by stream',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });

  private readonly outcomeNamespaces = new Set<string>();

  /**
   * The label of a namespace whose pods are watched: the namespace, or "other" past
   * MAX_OUTCOME_NAMESPACES. A namespace's series start at 0 when its first pod is seen, so that an
   * alert's increase() counts the first finding too (a series that starts at 1 has no increase).
   */
  outcomeNamespace(namespace: string): string {
    if (this.outcomeNamespaces.has(namespace)) return namespace;
    const label = this.outcomeNamespaces.size < MAX_OUTCOME_NAMESPACES ? namespace : 'other';
    if (label === namespace) this.outcomeNamespaces.add(namespace);
    for (const outcome of POD_OUTCOMES) this.podOutcomes.inc({ pod_namespace: label, outcome }, 0);
    return label;
  }

  /** Counts a pod's outcome (per namespace and outcome, never per pod). */
  countOutcome(namespace: string, outcome: string): void {
    this.podOutcomes.inc({ pod_namespace: this.outcomeNamespace(namespace), outcome });
  }

  constructor() {
    const sources = this.sources;
    new Gauge({
      name: 'gracekeeper_certificate_expiry_seconds',
      help: 'Seconds until the serving certificate expires (negative once expired)',
      registers: [this.registry],
      collect() {
        const notAfter = sources.certificateNotAfter?.();
        if (notAfter) this.set((notAfter.getTime() - (sources.now ?? Date.now)()) / 1000);
      },
    });
    new Gauge({
      name: 'gracekeeper_namespace_informer_state',
      help: 'State of the Namespace informer: 1 for the current state (disabled, starting, synced, error)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const state = sources.informerState?.() ?? 'disabled';
        for (const s of STATES) this.set({ state: s }, s === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gracekeeper_namespace_cache_size',
      help: 'Namespaces in the informer cache',
      registers: [this.registry],
      collect() {
        this.set(sources.namespaceCacheSize?.() ?? 0);
      },
    });
    new Gauge({
      name: 'gracekeeper_traffic_informer_state',
      help: 'State of each informer of traffic paths (services, ingresses, ingressclasses, httproutes, grpcroutes, gateways, gatewayclasses): 1 for the current state',
      labelNames: ['resource', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of sources.trafficStates?.() ?? []) {
          for (const state of STATES) this.set({ resource: s.resource, state }, s.state === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'gracekeeper_traffic_objects',
      help: 'Objects held by each informer of traffic paths, by resource',
      labelNames: ['resource'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of sources.trafficStates?.() ?? []) this.set({ resource: s.resource }, s.objects);
      },
    });
    new Gauge({
      name: 'gracekeeper_outcome_stream_state',
      help: 'State of each stream outcomes watch (pods, events:FailedPreStopHook, events:ExceededGracePeriod, events:Unhealthy): 1 for the current state',
      labelNames: ['stream', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of sources.outcomeStates?.() ?? []) {
          for (const state of STATES) this.set({ stream: s.stream, state }, s.state === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'gracekeeper_outcome_memory_entries',
      help: 'What outcomes remember, bounded (pods: 20000, workloads: 10000), by kind',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const m = sources.outcomeMemory?.();
        if (m) {
          this.set({ kind: 'pods' }, m.pods);
          this.set({ kind: 'workloads' }, m.workloads);
        }
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
