// The gracekeeper annotations of the workload that owns a Pod (see engine/owner.ts): its
// controller, and that controller's own controller (a ReplicaSet's Deployment, a Job's CronJob),
// the outer one winning. At most two GETs per owner, shared by a burst of Pods, bounded in time,
// failing open (no annotations: the Pod gets the Namespace's and its own).
import { AppsV1Api, BatchV1Api, type KubeConfig, type V1ObjectMeta } from '@kubernetes/client-node';
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
        const [namespace, apiVersion, kind, name] = key.split('\u0000') as [string, string, string, string];
        const direct = await read(namespace, { apiVersion, kind, name });
        if (!direct) return undefined;
        const parentKind = POD_OWNERS[kind]?.parent;
        const parentRef = parentKind ? controllerOf(direct, [parentKind]) : undefined;
        const parent = parentRef ? await read(namespace, parentRef).catch(() => undefined) : undefined;
        return { ...gracekeeperAnnotations(direct.annotations), ...gracekeeperAnnotations(parent?.annotations) };
      },
      { timeoutMs: 1500, ...options },
    );
  }

  get lookups(): number {
    return this.remembered.lookups;
  }

  annotations(namespace: string, owner: OwnerRef): Promise<Record<string, string> | undefined> {
    return this.remembered.get([namespace, owner.apiVersion, owner.kind, owner.name].join('\u0000'));
  }
}

/** The reader over the API server: typed GETs of the workload kinds (RBAC: get on each). */
export function apiMetadataReader(config: KubeConfig): ReadMetadata {
  const apps = config.makeApiClient(AppsV1Api);
  const batch = config.makeApiClient(BatchV1Api);
  const readers: Record<string, (name: string, namespace: string) => Promise<{ metadata?: V1ObjectMeta }>> = {
    ReplicaSet: (name, namespace) => apps.readNamespacedReplicaSet({ name, namespace }),
    Deployment: (name, namespace) => apps.readNamespacedDeployment({ name, namespace }),
    StatefulSet: (name, namespace) => apps.readNamespacedStatefulSet({ name, namespace }),
    DaemonSet: (name, namespace) => apps.readNamespacedDaemonSet({ name, namespace }),
    Job: (name, namespace) => batch.readNamespacedJob({ name, namespace }),
    CronJob: (name, namespace) => batch.readNamespacedCronJob({ name, namespace }),
  };
  return async (namespace, ref) => {
    const read = readers[ref.kind];
    return read ? ((await read(ref.name, namespace)).metadata ?? {}) : undefined;
  };
}
