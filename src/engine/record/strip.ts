// Undoes what an earlier pass added (per its record), so every pass starts from the user's own spec.
import { copyOf } from '../copy.js';
import { fingerprint, probeFingerprint, type FingerprintMemo } from './fingerprint.js';
import type { Container, PodTemplate } from '../pod-types.js';
import { ITEMS, type InjectionRecord, type Item } from './record.js';

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
  const probe = container[item];
  return probe ? probeFingerprint(probe, memo) : undefined;
}

/**
 * Removes every item the record says gracekeeper added, but only while it is still exactly what
 * gracekeeper wrote: a value the user has since replaced is the user's and stays.
 * Works in place: call it on a copy.
 */
export function stripInjected(template: PodTemplate, record: InjectionRecord, memo?: FingerprintMemo): void {
  for (const item of ITEMS) {
    for (const name of record.added[item] ?? []) {
      const container = findContainer(template, name);
      const recorded = record.fingerprints[`${name}/${item}`];
      if (!container || recorded === undefined || currentFingerprint(container, item, memo) !== recorded) continue;
      removeItem(container, item);
    }
  }
  const grace = record.terminationGracePeriodSeconds;
  if (grace && template.spec.terminationGracePeriodSeconds === grace.to) {
    if (grace.from === null) delete template.spec.terminationGracePeriodSeconds;
    else template.spec.terminationGracePeriodSeconds = grace.from;
  }
}

function removeItem(container: Container, item: Item): void {
  if (item !== 'preStop') {
    delete container[item];
    return;
  }
  const lifecycle = container.lifecycle;
  if (!lifecycle) return;
  const rest = copyOf(lifecycle);
  delete rest.preStop;
  if (Object.keys(rest).length === 0) delete container.lifecycle;
  else container.lifecycle = rest;
}
