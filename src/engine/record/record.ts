// The `gracekeeper.io/injected` record: what was added, what was kept, and enough to undo it.
import { RECORD_KEY } from '../../settings/keys.js';
import { isRecord } from '../pod-types.js';

export type Item = 'preStop' | 'readinessProbe' | 'startupProbe';
export const ITEMS: readonly Item[] = ['preStop', 'readinessProbe', 'startupProbe'];

export interface ValueChange {
  /** The value before gracekeeper (null: unset). */
  from: number | null;
  to: number;
}

export interface InjectionRecord {
  version: 1;
  /** Container names that received each item. */
  added: Partial<Record<Item, string[]>>;
  /** Container names whose own item was left as the user wrote it. */
  kept: Partial<Record<Item, string[]>>;
  terminationGracePeriodSeconds?: ValueChange;
  minReadySeconds?: ValueChange;
  /** Workload-level gracekeeper annotations, carried to the Pods made from this template. */
  workload?: Record<string, string>;
  /** "container/item" to the fingerprint of what was written, so it can be recognised later. */
  fingerprints: Record<string, string>;
}

export function emptyRecord(): InjectionRecord {
  return { version: 1, added: {}, kept: {}, fingerprints: {} };
}

/** Reads a record from annotations; anything malformed is treated as no record. */
export function readRecord(annotations: Record<string, string> | undefined): InjectionRecord | undefined {
  const text = annotations?.[RECORD_KEY];
  if (typeof text !== 'string' || text.length > 65536) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.version !== 1 || !isRecord(value.fingerprints)) return undefined;
  const record = emptyRecord();
  for (const item of ITEMS) {
    record.added[item] = names(isRecord(value.added) ? value.added[item] : undefined);
  }
  record.fingerprints = Object.fromEntries(
    Object.entries(value.fingerprints).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  record.terminationGracePeriodSeconds = change(value.terminationGracePeriodSeconds);
  record.minReadySeconds = change(value.minReadySeconds);
  if (isRecord(value.workload)) {
    record.workload = Object.fromEntries(
      Object.entries(value.workload).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }
  return record;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function change(value: unknown): ValueChange | undefined {
  if (!isRecord(value) || typeof value.to !== 'number') return undefined;
  const from = typeof value.from === 'number' ? value.from : null;
  return { from, to: value.to };
}

export function noteItem(record: InjectionRecord, kind: 'added' | 'kept', item: Item, container: string): void {
  (record[kind][item] ??= []).push(container);
}

/** True when the record says something was changed (only then is it written). */
export function recordHasChanges(record: InjectionRecord): boolean {
  return (
    ITEMS.some((i) => (record.added[i]?.length ?? 0) > 0) ||
    record.terminationGracePeriodSeconds !== undefined ||
    record.minReadySeconds !== undefined
  );
}

/** Compact, stable JSON: fixed key order, empty lists left out. */
export function serialiseRecord(record: InjectionRecord): string {
  const lists = (group: Partial<Record<Item, string[]>>) =>
    Object.fromEntries(ITEMS.filter((i) => (group[i]?.length ?? 0) > 0).map((i) => [i, group[i]]));
  const out: Record<string, unknown> = { version: 1, added: lists(record.added), kept: lists(record.kept) };
  if (record.terminationGracePeriodSeconds) out.terminationGracePeriodSeconds = record.terminationGracePeriodSeconds;
  if (record.minReadySeconds) out.minReadySeconds = record.minReadySeconds;
  if (record.workload && Object.keys(record.workload).length > 0) out.workload = sortKeys(record.workload);
  out.fingerprints = sortKeys(record.fingerprints);
  return JSON.stringify(out);
}

function sortKeys(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((k) => [k, map[k] as string]),
  );
}
