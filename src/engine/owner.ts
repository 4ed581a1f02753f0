// Which workload owns a Pod, when its settings must be read from there: a Pod the API server is
// creating, with no record from a mutated template (targets: pods leaves workloads alone, and
// workloads made before gracekeeper have none), controlled by a kind gracekeeper knows.
import { RECORD_KEY } from '../settings/keys.js';
import { isRecord } from '../kube/pod-types.js';
import type { AdmissionOperation, GroupVersionKind } from './types.js';

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** The owner's uid, which a real controller reference always carries (the lookup checks it). */
  uid?: string;
}

/** Controllers that make Pods, and the controllers that make those (a ReplicaSet's Deployment). */
export const POD_OWNERS: Readonly<Record<string, { apiVersion: string; parent?: { apiVersion: string; kind: string } }>> = {
  ReplicaSet: { apiVersion: 'apps/v1', parent: { apiVersion: 'apps/v1', kind: 'Deployment' } },
  StatefulSet: { apiVersion: 'apps/v1' },
  DaemonSet: { apiVersion: 'apps/v1' },
  Job: { apiVersion: 'batch/v1', parent: { apiVersion: 'batch/v1', kind: 'CronJob' } },
};

/** The controller reference of an object's metadata, when it has one of `kinds`. */
export function controllerOf(
  metadata: unknown,
  kinds: ReadonlyArray<{ apiVersion: string; kind: string }>,
): OwnerRef | undefined {
  if (!isRecord(metadata) || !Array.isArray(metadata.ownerReferences)) return undefined;
  for (const ref of metadata.ownerReferences as unknown[]) {
    if (!isRecord(ref) || ref.controller !== true) continue;
    const { apiVersion, kind, name, uid } = ref;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string' || name === '') continue;
    if (kinds.some((k) => k.apiVersion === apiVersion && k.kind === kind))
      return { apiVersion, kind, name, ...(typeof uid === 'string' && uid !== '' ? { uid } : {}) };
  }
  return undefined;
}

const OWNER_KINDS = Object.entries(POD_OWNERS).map(([kind, o]) => ({ apiVersion: o.apiVersion, kind }));

/** The owner whose annotations a Pod CREATE needs, or undefined when it needs none. */
export function ownerToLookUp(request: {
  kind: GroupVersionKind;
  operation: AdmissionOperation;
  object: unknown;
}): OwnerRef | undefined {
  const { kind, operation, object } = request;
  if (operation !== 'CREATE' || kind.group !== '' || kind.kind !== 'Pod' || !isRecord(object)) return undefined;
  const metadata = object.metadata;
  if (isRecord(metadata) && isRecord(metadata.annotations) && typeof metadata.annotations[RECORD_KEY] === 'string')
    return undefined;
  return controllerOf(metadata, OWNER_KINDS);
}
