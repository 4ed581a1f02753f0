// The `gracekeeper.io/injected` record: what was added, what was kept, and enough to undo it. It is
// stored on objects in clusters, so its JSON form only ever grows (version 1, same keys).
import { RECORD_KEY } from '../../settings/keys.js';
import { isRecord } from '../../kube/pod-types.js';
import { VALUE_FIELDS, type ValueField } from '../work.js';

/** What gracekeeper adds to a container; how each is read, written and removed is items.ts's table. */
export type Item = 'preStop' | 'readinessProbe' | 'startupProbe' | 'stopSignal';
export const ITEMS: readonly Item[] = ['preStop', 'readinessProbe', 'startupProbe', 'stopSignal'];

export interface ValueChange {
  /** The value before gracekeeper (null: unset). */
  from: number | null;
  to: number;
}

/** A pod template annotation gracekeeper wrote (a mesh proxy's wait): what it held before, and a fingerprint of what was written. */
export interface AnnotationChange {
  /** The value before gracekeeper (null: absent). */
  from: string | null;
  fingerprint: string;
}

export interface InjectionRecord extends Partial<Record<ValueField, ValueChange>> {
  version: 1;
  /** Container names that received each item. */
  added: Partial<Record<Item, string[]>>;
  /** Container names whose own item was left as the user wrote it. */
  kept: Partial<Record<Item, string[]>>;
  /** What `pre-stop-sleep: auto` decided: the seconds and the path that decided them. */
  sleep?: { seconds: number; by: string };
  /** Set when gracekeeper added `spec.os: {name: linux}` (a stop signal needs it). */
  podOS?: 'linux';
  /** Pod template annotations gracekeeper wrote, by key. */
  annotations?: Record<string, AnnotationChange>;
  /** The grace period's budget in one line, when more than the sleep and the drain went into it. */
  budget?: string;
  /** Workload-level gracekeeper annotations, carried to the Pods made from this template. */
  workload?: Record<string, string>;
  /** "container/item" to the fingerprint of what was written, so it can be recognised later. */
  fingerprints: Record<string, string>;
}

/**
 * Records longer than this are ignored: 256 KiB, the API server's limit for all of an object's
 * annotations. A record it stored but this would not read back (one per container and item: 300
 * containers of long names make 90 KB) made every admission of a ReplicaSet rewrite its template.
 */
export const MAX_RECORD_CHARS = 256 * 1024;

export function emptyRecord(): InjectionRecord {
  return { version: 1, added: {}, kept: {}, fingerprints: {} };
}

/** Reads a record from annotations; anything malformed is treated as no record. */
export function readRecord(annotations: Record<string, string> | undefined): InjectionRecord | undefined {
  const text = annotations?.[RECORD_KEY];
  if (typeof text !== 'string' || text.length > MAX_RECORD_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.version !== 1 || !isRecord(value.fingerprints)) return undefined;
  const record = emptyRecord();
  for (const item of ITEMS) record.added[item] = names(isRecord(value.added) ? value.added[item] : undefined);
  record.fingerprints = strings(value.fingerprints);
  for (const field of VALUE_FIELDS) {
    const change = valueChange(value[field]);
    if (change) record[field] = change;
  }
  if (value.podOS === 'linux') record.podOS = 'linux';
  if (isRecord(value.annotations)) {
    const changes = annotationChanges(value.annotations);
    if (Object.keys(changes).length > 0) record.annotations = changes;
  }
  if (typeof value.budget === 'string') record.budget = value.budget;
  if (isRecord(value.workload)) record.workload = strings(value.workload);
  if (isRecord(value.sleep) && typeof value.sleep.seconds === 'number' && typeof value.sleep.by === 'string') {
    record.sleep = { seconds: value.sleep.seconds, by: value.sleep.by };
  }
  return record;
}

function annotationChanges(map: Record<string, unknown>): Record<string, AnnotationChange> {
  const out: Record<string, AnnotationChange> = {};
  for (const [key, change] of Object.entries(map)) {
    if (!isRecord(change) || typeof change.fingerprint !== 'string') continue;
    out[key] = { from: typeof change.from === 'string' ? change.from : null, fingerprint: change.fingerprint };
  }
  return out;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function strings(map: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function valueChange(value: unknown): ValueChange | undefined {
  if (!isRecord(value) || typeof value.to !== 'number') return undefined;
  return { from: typeof value.from === 'number' ? value.from : null, to: value.to };
}

export function noteKept(record: InjectionRecord, item: Item, container: string): void {
  (record.kept[item] ??= []).push(container);
}

export function noteAdded(record: InjectionRecord, item: Item, container: string, print: string): void {
  (record.added[item] ??= []).push(container);
  record.fingerprints[`${container}/${item}`] = print;
}

/** True when the record says something was changed (only then, or to carry annotations, is it written). */
export function recordHasChanges(record: InjectionRecord): boolean {
  return (
    ITEMS.some((i) => (record.added[i]?.length ?? 0) > 0) ||
    VALUE_FIELDS.some((f) => record[f] !== undefined) ||
    record.podOS !== undefined ||
    Object.keys(record.annotations ?? {}).length > 0
  );
}

/** Compact, stable JSON: fixed key order, empty lists left out. */
export function serialiseRecord(record: InjectionRecord): string {
  const out: Record<string, unknown> = { version: 1, added: lists(record.added), kept: lists(record.kept) };
  for (const field of VALUE_FIELDS) if (record[field]) out[field] = record[field];
  if (record.sleep) out.sleep = { seconds: record.sleep.seconds, by: record.sleep.by };
  if (record.podOS) out.podOS = record.podOS;
  const annotations = record.annotations;
  if (annotations && Object.keys(annotations).length > 0) {
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(annotations).sort()) {
      const change = annotations[k] as AnnotationChange;
      put(sorted, k, { from: change.from, fingerprint: change.fingerprint });
    }
    out.annotations = sorted;
  }
  if (record.budget) out.budget = record.budget;
  if (record.workload && Object.keys(record.workload).length > 0) out.workload = sortKeys(record.workload);
  out.fingerprints = sortKeys(record.fingerprints);
  return JSON.stringify(out);
}

/** The items with a non-empty list, in ITEMS order. */
function lists(group: Partial<Record<Item, string[]>>): Partial<Record<Item, string[]>> {
  const out: Partial<Record<Item, string[]>> = {};
  for (const item of ITEMS) {
    const names = group[item];
    if (names && names.length > 0) out[item] = names;
  }
  return out;
}

function sortKeys(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(map).sort()) put(out, k, map[k]);
  return out;
}

/** Sets a key as Object.fromEntries would: a "__proto__" key as a key, not the prototype. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
