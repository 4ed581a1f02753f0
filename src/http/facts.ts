// What the engine needs to know about the cluster for one request, gathered at the edge and handed
// to the pure core as plain data: the Namespace's labels and annotations (from the informer's cache; one GET
// for a namespace it does not hold yet) and, for a Pod with no record, its owning workload's
// gracekeeper annotations (see engine/owner.ts), and what sends its pods traffic (the traffic
// index, for pre-stop-sleep auto). At once when nothing must be read.
import type { NamespaceSource, OwnerSource } from '../cluster/sources.js';
import type { OutcomeSource } from '../cluster/outcome-watch.js';
import type { TrafficSource } from '../cluster/traffic-source.js';
import type { WorkloadOutcomes } from '../engine/outcomes/advice.js';
import { governingService, podLabels } from '../engine/target.js';
import type { TrafficFacts } from '../traffic/types.js';
import { ownerToLookUp } from '../engine/owner.js';
import { isExcludedNamespace } from '../engine/scope.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { AdmissionRequest } from './review.js';

export interface Facts {
  namespaceLabels: Record<string, string>;
  namespaceAnnotations: Record<string, string>;
  ownerAnnotations?: Record<string, string>;
  traffic?: TrafficFacts;
  outcomes?: WorkloadOutcomes;
}

export interface FactSources {
  namespaces: NamespaceSource;
  owners?: OwnerSource;
  traffic?: TrafficSource;
  outcomes?: Pick<OutcomeSource, 'outcomes'>;
}

/** Workload kinds whose pods' outcomes are told at their UPDATE (their pods carry the workload's name). */
const OUTCOME_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** The workload's recent outcomes, for an UPDATE of a workload of the apps group; else undefined. */
function outcomesFor(request: AdmissionRequest, sources: FactSources): WorkloadOutcomes | undefined {
  if (!sources.outcomes || request.operation !== 'UPDATE' || request.kind.group !== 'apps') return undefined;
  if (!OUTCOME_KINDS.has(request.kind.kind) || request.subResource) return undefined;
  const meta = (request.object as { metadata?: { name?: unknown } } | undefined)?.metadata;
  const name = typeof request.name === 'string' && request.name ? request.name : meta?.name;
  if (typeof name !== 'string' || !name) return undefined;
  try {
    return sources.outcomes.outcomes(request.namespace, { kind: request.kind.kind, name });
  } catch {
    return undefined; // fail open: no advice rather than no admission
  }
}

export function gatherFacts(request: AdmissionRequest, sources: FactSources, cluster: ClusterSettings): Facts | Promise<Facts> {
  const namespace = request.namespace;
  if (!namespace || isExcludedNamespace(namespace, cluster)) return { namespaceLabels: {}, namespaceAnnotations: {} };
  const cached = sources.namespaces.get(namespace);
  const traffic = sources.traffic?.facts(
    namespace,
    podLabels(request.kind, request.object),
    governingService(request.kind, request.object),
  );
  const outcomes = outcomesFor(request, sources);
  const owner = sources.owners ? ownerToLookUp(request) : undefined;
  const lookUpNamespace = cached === undefined && sources.namespaces.lookup !== undefined;
  if (!owner && !lookUpNamespace) {
    return {
      namespaceLabels: cached?.labels ?? {},
      namespaceAnnotations: cached?.annotations ?? {},
      ...(traffic ? { traffic } : {}),
      ...(outcomes ? { outcomes } : {}),
    };
  }
  const settle = <T>(p: Promise<T | undefined> | undefined): Promise<T | undefined> =>
    p ? p.catch(() => undefined) : Promise.resolve(undefined);
  return Promise.all([
    lookUpNamespace ? settle(sources.namespaces.lookup?.(namespace)) : Promise.resolve(cached),
    owner ? settle(sources.owners?.annotations(namespace, owner)) : Promise.resolve(undefined),
  ]).then(([info, ownerAnnotations]) => ({
    namespaceLabels: info?.labels ?? {},
    namespaceAnnotations: info?.annotations ?? {},
    ...(ownerAnnotations ? { ownerAnnotations } : {}),
    ...(traffic ? { traffic } : {}),
    ...(outcomes ? { outcomes } : {}),
  }));
}
