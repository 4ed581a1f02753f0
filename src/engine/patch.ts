// The JSON Patch between two objects, diffed over only the parts gracekeeper touches.
import type { Operation } from 'fast-json-patch';
import type { KindRule } from './kinds.js';
import { isRecord } from './pod-types.js';

/**
 * A sparse view of an object with the same paths as the original: the pod template's annotations
 * and spec, and spec.minReadySeconds. Everything else (managedFields, status, ...) is out of the diff.
 */
export function project(object: Record<string, unknown>, rule: KindRule): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const template = getPath(object, rule.templatePath);
  if (isRecord(template)) {
    const part: Record<string, unknown> = {};
    if (isRecord(template.metadata)) {
      part.metadata = template.metadata.annotations === undefined ? {} : { annotations: template.metadata.annotations };
    }
    if (template.spec !== undefined) part.spec = template.spec;
    setPath(view, rule.templatePath, part);
  }
  if (rule.hasMinReadySeconds && isRecord(object.spec) && object.spec.minReadySeconds !== undefined) {
    const spec = (view.spec ??= {}) as Record<string, unknown>;
    spec.minReadySeconds = object.spec.minReadySeconds;
  }
  return view;
}

export function diff(before: Record<string, unknown>, after: Record<string, unknown>, rule: KindRule): Operation[] {
  const patch: Operation[] = [];
  compare(project(before, rule), project(after, rule), '', patch);
  return patch;
}

function escape(key: string): string {
  return key.includes('/') || key.includes('~') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

function keysOf(value: object): string[] {
  return Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
}

const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/**
 * fast-json-patch's compare, operation for operation (removals and replacements walking the old
 * keys from the last, then additions), without its deep copy of every value written: these values
 * are fresh objects of this admission, serialised right away. Identical references are skipped,
 * which with the engine's copy-on-write template is every subtree it did not change.
 */
function compare(before: object, after: object, path: string, patch: Operation[]): void {
  if (before === after) return;
  const oldKeys = keysOf(before);
  const newKeys = keysOf(after);
  const oldRecord = before as Record<string, unknown>;
  const newRecord = after as Record<string, unknown>;
  let deleted = false;
  for (let i = oldKeys.length - 1; i >= 0; i--) {
    const key = oldKeys[i] as string;
    const oldValue = oldRecord[key];
    if (hasOwn(after, key) && !(newRecord[key] === undefined && oldValue !== undefined && !Array.isArray(after))) {
      const newValue = newRecord[key];
      if (oldValue === newValue) continue;
      if (typeof oldValue === 'object' && oldValue !== null && typeof newValue === 'object' && newValue !== null
        && Array.isArray(oldValue) === Array.isArray(newValue)) {
        compare(oldValue, newValue, `${path}/${escape(key)}`, patch);
      } else {
        patch.push({ op: 'replace', path: `${path}/${escape(key)}`, value: newValue === undefined ? null : newValue });
      }
    } else if (Array.isArray(before) === Array.isArray(after)) {
      patch.push({ op: 'remove', path: `${path}/${escape(key)}` });
      deleted = true;
    } else {
      patch.push({ op: 'replace', path, value: after });
    }
  }
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!hasOwn(before, key) && newRecord[key] !== undefined) patch.push({ op: 'add', path: `${path}/${escape(key)}`, value: newRecord[key] });
  }
}

export function getPath(object: unknown, path: readonly string[]): unknown {
  let current = object;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: Record<string, unknown>): void {
  if (path.length === 0) {
    Object.assign(target, value);
    return;
  }
  let current = target;
  for (const key of path.slice(0, -1)) current = (current[key] ??= {}) as Record<string, unknown>;
  current[path[path.length - 1] as string] = value;
}

/** A copy of `object` with the value at `path` replaced; untouched branches are shared. */
export function withPath(object: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  if (path.length === 0) return value as Record<string, unknown>;
  const [head, ...rest] = path as [string, ...string[]];
  const child = isRecord(object[head]) ? (object[head] as Record<string, unknown>) : {};
  return { ...object, [head]: rest.length === 0 ? value : withPath(child, rest, value) };
}
