// "Is this still ours": a container's item is gracekeeper's only while its fingerprint is exactly
// the one the record holds. Once the user (or another webhook) changes it, it is theirs.
import type { Container, PodTemplate } from '../../kube/pod-types.js';
import type { FingerprintMemo } from './fingerprint.js';
import { currentFingerprint } from './items.js';
import type { InjectionRecord, Item } from './record.js';

export { currentFingerprint } from './items.js';

export function findContainer(template: PodTemplate, name: string): Container | undefined {
  return template.spec.containers.find((c) => c.name === name) ?? template.spec.initContainers?.find((c) => c.name === name);
}

/** Whether the container's item is still exactly what the record says gracekeeper wrote. */
export function isStillOurs(container: Container, item: Item, record: InjectionRecord, memo?: FingerprintMemo): boolean {
  const recorded = record.fingerprints[`${container.name}/${item}`];
  return recorded !== undefined && currentFingerprint(container, item, memo) === recorded;
}
