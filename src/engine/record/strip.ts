// Undoes what an earlier pass added, per its record, so every pass starts from the user's own spec:
// each item while it is still ours, each value while it still holds what gracekeeper set.
import { hasValue, readValue, VALUE_FIELDS, writeAnnotation, writeValue, type Work } from '../work.js';
import { textFingerprint, type FingerprintMemo } from './fingerprint.js';
import { ITEM_ACCESS } from './items.js';
import { findContainer, isStillOurs } from './ownership.js';
import { ITEMS, type InjectionRecord } from './record.js';

/** Works in place, on the admission's working copy. */
export function stripInjected(work: Work, record: InjectionRecord, memo?: FingerprintMemo): void {
  for (const item of ITEMS) {
    for (const name of record.added[item] ?? []) {
      const container = findContainer(work.template, name);
      if (container && isStillOurs(container, item, record, memo)) ITEM_ACCESS[item].remove(container);
    }
  }
  for (const field of VALUE_FIELDS) {
    const change = record[field];
    if (!change || !hasValue(work, field) || readValue(work, field) !== change.to) continue;
    writeValue(work, field, change.from ?? undefined);
  }
  const os = work.template.spec.os;
  if (record.podOS && os && Object.keys(os).length === 1 && os.name === record.podOS) delete work.template.spec.os;
  for (const [key, change] of Object.entries(record.annotations ?? {})) {
    const value = work.template.metadata.annotations?.[key];
    if (value !== undefined && textFingerprint(value) === change.fingerprint)
      writeAnnotation(work, key, change.from ?? undefined);
  }
}
