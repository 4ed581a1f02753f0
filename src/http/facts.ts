// The cluster's facts at the edge, answering the questions of the engine's input builder
// (src/engine/input.ts) from the caches: a Namespace's labels and annotations (the informer's; one
// GET for a namespace it does not hold yet), the API server's version, what sends a workload's
// pods traffic (the traffic index, for pre-stop-sleep auto) and a workload's recent outcomes. A
// Pod with no record needs its owning workload's gracekeeper annotations (see engine/owner.ts): a
// remembered GET. The input is built at once when nothing must be read, else once the reads settle.
import type { NamespaceSource, OwnerSource, VersionSource } from '../cluster/sources.js';
import type { OutcomeSource } from '../cluster/outcome-watch.js';
import type { TrafficSource } from '../cluster/traffic-source.js';
import { buildInput, readsFacts, type ClusterFacts } from '../engine/input.js';
import { ownerToLookUp } from '../engine/owner.js';
import type { AdmissionInput } from '../engine/types.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { AdmissionRequest } from './review-codec.js';

export interface FactSources {
  namespaces: NamespaceSource;
  version: VersionSource;
  /** A Pod's owning workload's annotations (absent without a cluster). */
  owners?: OwnerSource;
  /** What sends traffic to pods (absent without a cluster). */
  traffic?: TrafficSource;
  /** How pods stopped and started (absent without a cluster). */
  outcomes?: Pick<OutcomeSource, 'outcomes'>;
}

/** The engine's input for a request and the settings in force: at once, or after the reads it needs. */
export type GatherInput = (request: AdmissionRequest, cluster: ClusterSettings) => AdmissionInput | Promise<AdmissionInput>;

/** Settles to undefined when the read fails: a missing fact, never a failed admission. */
function settle<T>(read: Promise<T | undefined> | undefined): Promise<T | undefined> {
  return read ? read.catch(() => undefined) : Promise.resolve(undefined);
}

export function gatherInput(sources: FactSources): GatherInput {
  const { namespaces, version, owners, traffic, outcomes } = sources;
  const kubeVersion = () => version.current();
  /** A request with no namespace (a cluster-scoped object): nothing is known of its namespace. */
  const none: ClusterFacts = { namespace: () => undefined, kubeVersion };
  /** What the caches hold. */
  const cached: ClusterFacts = {
    namespace: (name) => namespaces.get(name),
    kubeVersion,
    ...(traffic ? { traffic: (namespace, labels, governing) => traffic.facts(namespace, labels, governing) } : {}),
    ...(outcomes
      ? {
          outcomes: (namespace, workload) => {
            try {
              return outcomes.outcomes(namespace, workload);
            } catch {
              return undefined; // fail open: no advice rather than no admission
            }
          },
        }
      : {}),
  };
  return (request, cluster) => {
    const namespace = request.namespace;
    if (!namespace) return buildInput(request, none, cluster);
    const reads = readsFacts(namespace, cluster);
    const owner = reads && owners ? ownerToLookUp(request) : undefined;
    const lookUpNamespace = reads && namespaces.lookup !== undefined && namespaces.get(namespace) === undefined;
    if (!owner && !lookUpNamespace) return buildInput(request, cached, cluster);
    return Promise.all([
      lookUpNamespace ? settle(namespaces.lookup?.(namespace)) : Promise.resolve(namespaces.get(namespace)),
      owner ? settle(owners?.annotations(namespace, owner)) : Promise.resolve(undefined),
    ]).then(([info, ownerAnnotations]) =>
      buildInput(
        request,
        { ...cached, namespace: () => info, ...(owner ? { ownerAnnotations: () => ownerAnnotations } : {}) },
        cluster,
      ),
    );
  };
}
