// Short tags of what a mutation changed, for the log line, metrics and the audit annotation.
import type { FingerprintMemo } from './record/fingerprint.js';
import { currentFingerprint, findContainer } from './record/ownership.js';
import { ITEMS, type InjectionRecord } from './record/record.js';
import { readValue, VALUE_FIELDS, type Work } from './work.js';

/**
 * Tags such as "preStop:app", "readinessProbe:web", "terminationGracePeriodSeconds:30->35",
 * "annotation:proxy.istio.io/config", "podOS": only
 * items whose value differs between the two (added now, or taken back: `earlier` lists the
 * containers an earlier pass added to).
 */
export function describeChanges(
  before: Work,
  after: Work,
  record: InjectionRecord,
  earlier: InjectionRecord | undefined,
  memo?: FingerprintMemo,
): string[] {
  const tags: string[] = [];
  for (const item of ITEMS) {
    const names = new Set([...(record.added[item] ?? []), ...(earlier?.added[item] ?? [])]);
    for (const name of names) {
      const was = currentFingerprint(findContainer(before.template, name), item, memo);
      if (was !== currentFingerprint(findContainer(after.template, name), item, memo)) tags.push(`${item}:${name}`);
    }
  }
  for (const field of VALUE_FIELDS) {
    const from = readValue(before, field);
    const to = readValue(after, field);
    if (from !== to) tags.push(`${field}:${from ?? 'unset'}->${to ?? 'unset'}`);
  }
  const keys = new Set([...Object.keys(record.annotations ?? {}), ...Object.keys(earlier?.annotations ?? {})]);
  for (const key of keys) {
    if (before.template.metadata.annotations?.[key] !== after.template.metadata.annotations?.[key])
      tags.push(`annotation:${key}`);
  }
  if (before.template.spec.os?.name !== after.template.spec.os?.name) tags.push('podOS');
  return tags;
}

/** The type of a change tag ("preStop:app" -> "preStop"), for metric labels of bounded cardinality. */
export function changeType(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(0, colon);
}
