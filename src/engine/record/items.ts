// The container items gracekeeper adds (record.ts names them), one row each: where the item lives
// in a container, how to write and remove it, and its fingerprint. Reading ("is this still ours",
// ownership.ts), taking back (strip.ts) and writing (inject.ts, shutdown-path.ts) all go through
// this table, and a write goes through addUnlessPresent: a container's own item is kept, never
// replaced.
import { copyOf } from '../copy.js';
import type { Container, Handler, Probe } from '../../kube/pod-types.js';
import { fingerprint, probeFingerprint, textFingerprint, type FingerprintMemo } from './fingerprint.js';
import { noteAdded, noteKept, type InjectionRecord, type Item } from './record.js';

/** What each item holds. */
export interface ItemValues {
  preStop: Handler;
  readinessProbe: Probe;
  startupProbe: Probe;
  stopSignal: string;
}

interface ItemAccess<V> {
  /** Whether the container has the item already (the user's own, or an earlier pass's). */
  present(container: Container): boolean;
  /** The item's value, when there is one to fingerprint. */
  get(container: Container): V | undefined;
  set(container: Container, value: V): void;
  remove(container: Container): void;
  fingerprint(value: V, memo?: FingerprintMemo): string;
}

type Table = { readonly [I in Item]: ItemAccess<ItemValues[I]> };

/** An item under container.lifecycle: written into a copy of it, and the lifecycle dropped once empty. */
function lifecycleItem<K extends 'preStop' | 'stopSignal'>(
  key: K,
  get: (container: Container) => ItemValues[K] | undefined,
  present: (container: Container) => boolean,
  print: (value: ItemValues[K], memo?: FingerprintMemo) => string,
): ItemAccess<ItemValues[K]> {
  return {
    present,
    get,
    set(container, value) {
      const lifecycle: Record<string, unknown> = copyOf(container.lifecycle ?? {});
      lifecycle[key] = value;
      container.lifecycle = lifecycle;
    },
    remove(container) {
      const lifecycle = container.lifecycle;
      if (!lifecycle) return;
      const rest = copyOf(lifecycle);
      delete rest[key];
      if (Object.keys(rest).length === 0) delete container.lifecycle;
      else container.lifecycle = rest;
    },
    fingerprint: print,
  };
}

/** A probe, a field of the container itself. */
function probeItem(key: 'readinessProbe' | 'startupProbe'): ItemAccess<Probe> {
  return {
    present: (container) => Boolean(container[key]),
    get: (container) => container[key] || undefined,
    set(container, value) {
      container[key] = value;
    },
    remove(container) {
      delete container[key];
    },
    fingerprint: probeFingerprint,
  };
}

export const ITEM_ACCESS: Table = {
  preStop: lifecycleItem(
    'preStop',
    (c) => c.lifecycle?.preStop || undefined,
    (c) => Boolean(c.lifecycle?.preStop),
    fingerprint,
  ),
  readinessProbe: probeItem('readinessProbe'),
  startupProbe: probeItem('startupProbe'),
  stopSignal: lifecycleItem(
    'stopSignal',
    (c) => (typeof c.lifecycle?.stopSignal === 'string' ? c.lifecycle.stopSignal : undefined),
    (c) => c.lifecycle?.stopSignal !== undefined,
    (signal) => textFingerprint(signal),
  ),
};

/** The fingerprint of a container's current item, or undefined when it has none. */
export function currentFingerprint(container: Container | undefined, item: Item, memo?: FingerprintMemo): string | undefined {
  if (!container) return undefined;
  const access = ITEM_ACCESS[item] as ItemAccess<ItemValues[Item]>;
  const value = access.get(container);
  return value === undefined ? undefined : access.fingerprint(value, memo);
}

/**
 * Adds an item to a container unless it has one: its own is noted as kept; otherwise `make` is
 * asked for the value (undefined: nothing to add), which is written and noted as added with its
 * fingerprint. Returns whether it wrote.
 */
export function addUnlessPresent<I extends Item>(
  record: InjectionRecord,
  container: Container,
  item: I,
  make: () => ItemValues[I] | undefined,
  memo?: FingerprintMemo,
): boolean {
  const access = ITEM_ACCESS[item] as ItemAccess<ItemValues[I]>;
  if (access.present(container)) {
    noteKept(record, item, container.name);
    return false;
  }
  const value = make();
  if (value === undefined) return false;
  access.set(container, value);
  noteAdded(record, item, container.name, access.fingerprint(value, memo));
  return true;
}
