// Short tags of what a mutation changed, for the log line, metrics and the audit annotation.
import type { FingerprintMemo } from './record/fingerprint.js';
import type { PodTemplate } from './pod-types.js';
import { ITEMS, type InjectionRecord } from './record/record.js';
import { currentFingerprint, findContainer } from './record/strip.js';

/**
 * Tags such as "preStop:app", "readinessProbe:web", "terminationGracePeriodSeconds:30->35":
 * only items whose value differs from what the object held before.
 */
export function describeChanges(
  before: PodTemplate,
  after: PodTemplate,
  record: InjectionRecord,
  memo?: FingerprintMemo,
): string[] {
  const tags: string[] = [];
  for (const item of ITEMS) {
    for (const name of record.added[item] ?? []) {
      const was = currentFingerprint(findContainer(before, name), item, memo);
      if (was !== currentFingerprint(findContainer(after, name), item, memo)) tags.push(`${item}:${name}`);
    }
  }
  const from = before.spec.terminationGracePeriodSeconds;
  const to = after.spec.terminationGracePeriodSeconds;
  if (from !== to) tags.push(`terminationGracePeriodSeconds:${from ?? 'unset'}->${to ?? 'unset'}`);
  return tags;
}

/** The type of a change tag ("preStop:app" -> "preStop"), for metric labels of bounded cardinality. */
export function changeType(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(0, colon);
}
