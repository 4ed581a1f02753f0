// What the engine needs to know about the cluster for one request, gathered at the edge and handed
// to the pure core as plain data: the Namespace's labels and annotations (from the informer's cache; one GET
// for a namespace it does not hold yet) and, for a Pod with no record, its owning workload's
// gracekeeper annotations (see engine/owner.ts), and what sends its pods traffic (the traffic
// index, for pre-stop-sleep auto). At once when nothing must be read.
import type { NamespaceSource, OwnerSource } from '../cluster/sources.js';
import type { TrafficSource } from '../cluster/traffic-source.js';
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
}

export interface FactSources {
  namespaces: NamespaceSource;
  owners?: OwnerSource;
  traffic?: TrafficSource;
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
  const owner = sources.owners ? ownerToLookUp(request) : undefined;
  const lookUpNamespace = cached === undefined && sources.namespaces.lookup !== undefined;
  if (!owner && !lookUpNamespace) {
    return {
      namespaceLabels: cached?.labels ?? {},
      namespaceAnnotations: cached?.annotations ?? {},
      ...(traffic ? { traffic } : {}),
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
  }));
}
