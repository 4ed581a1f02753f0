// "Is this still ours": a container's item is gracekeeper's only while its fingerprint is exactly
// the one the record holds. Once the user (or another webhook) changes it, it is theirs.
import type { Container, PodTemplate } from '../../kube/pod-types.js';
import { fingerprint, probeFingerprint, textFingerprint, type FingerprintMemo } from './fingerprint.js';
import type { InjectionRecord, Item } from './record.js';

export function findContainer(template: PodTemplate, name: string): Container | undefined {
  return template.spec.containers.find((c) => c.name === name) ?? template.spec.initContainers?.find((c) => c.name === name);
}

/** The fingerprint of a container's current item, or undefined when it has none. */
export function currentFingerprint(container: Container | undefined, item: Item, memo?: FingerprintMemo): string | undefined {
  if (!container) return undefined;
  if (item === 'preStop') {
    const handler = container.lifecycle?.preStop;
    return handler ? fingerprint(handler, memo) : undefined;
  }
  if (item === 'stopSignal') {
    const signal = container.lifecycle?.stopSignal;
    return typeof signal === 'string' ? textFingerprint(signal) : undefined;
  }
  const probe = container[item];
  return probe ? probeFingerprint(probe, memo) : undefined;
}

/** Whether the container's item is still exactly what the record says gracekeeper wrote. */
export function isStillOurs(container: Container, item: Item, record: InjectionRecord, memo?: FingerprintMemo): boolean {
  const recorded = record.fingerprints[`${container.name}/${item}`];
  return recorded !== undefined && currentFingerprint(container, item, memo) === recorded;
}
