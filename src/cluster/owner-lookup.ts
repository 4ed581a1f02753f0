// The gracekeeper annotations of the workload that owns a Pod (see engine/owner.ts): its
// controller, and that controller's own controller (a ReplicaSet's Deployment, a Job's CronJob),
// the outer one winning. At most two GETs per owner, shared by a burst of Pods, bounded in time,
// failing open (no annotations: the Pod gets the Namespace's and its own). Only where the request
// could be real: the owner is looked up in the request's namespace, by a controller reference of a
// kind that owns pods, and its uid must be the reference's (a caller that names another
// namespace's workload cannot know its uid, so it learns nothing of its annotations). Metadata only
// (PartialObjectMetadata): the workload's spec is never read.
import type { KubeConfig, V1ObjectMeta } from '@kubernetes/client-node';
import { ApiError, jsonGetter } from './raw-get.js';
import { controllerOf, POD_OWNERS, type OwnerRef } from '../engine/owner.js';
import { gracekeeperAnnotations } from '../engine/request-settings.js';
import { Remembered, type RememberedOptions } from './remembered.js';

/** Reads an object's metadata; undefined when it does not exist. */
export type ReadMetadata = (namespace: string, ref: OwnerRef) => Promise<V1ObjectMeta | undefined>;

export class OwnerLookup {
  private readonly remembered: Remembered<Record<string, string>>;

  constructor(read: ReadMetadata, options: RememberedOptions = {}) {
    this.remembered = new Remembered(
      async (key) => {
        const [namespace, apiVersion, kind, name, uid] = key.split('\u0000') as [string, string, string, string, string];
        const direct = await read(namespace, { apiVersion, kind, name });
        if (!direct || direct.uid !== uid) return undefined;
        const parentKind = POD_OWNERS[kind]?.parent;
        const parentRef = parentKind ? controllerOf(direct, [parentKind]) : undefined;
        let parent = parentRef ? await read(namespace, parentRef).catch(() => undefined) : undefined;
        if (parent && parentRef?.uid !== undefined && parent.uid !== parentRef.uid) parent = undefined;
        return { ...gracekeeperAnnotations(direct.annotations), ...gracekeeperAnnotations(parent?.annotations) };
      },
      { timeoutMs: 1500, ...options },
    );
  }

  get lookups(): number {
    return this.remembered.lookups;
  }

  annotations(namespace: string, owner: OwnerRef): Promise<Record<string, string> | undefined> {
    // Without a uid the reference is not one a controller wrote: nothing is read.
    if (!owner.uid) return Promise.resolve(undefined);
    return this.remembered.get([namespace, owner.apiVersion, owner.kind, owner.name, owner.uid].join('\u0000'));
  }
}

/** The plural resources of the kinds read (RBAC: get on each). */
const RESOURCES: Record<string, string> = {
  ReplicaSet: 'replicasets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

/** Asks for the object's metadata alone (a meta.k8s.io/v1 PartialObjectMetadata). */
export const PARTIAL_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json';

/** The reader over the API server: GETs of the workload kinds' metadata only. */
export function apiMetadataReader(config: KubeConfig): ReadMetadata {
  const get = jsonGetter(config, { accept: PARTIAL_METADATA, timeoutMs: 5000, maxBody: 4 * 1024 * 1024 });
  return async (namespace, ref) => {
    const resource = RESOURCES[ref.kind];
    if (!resource || !/^[a-z0-9.-]+\/v1$/.test(ref.apiVersion)) return undefined;
    const path = `/apis/${ref.apiVersion}/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(ref.name)}`;
    try {
      const object = (await get(path)) as { metadata?: V1ObjectMeta };
      return object.metadata ?? {};
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  };
}
