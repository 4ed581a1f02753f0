// The JSON Patch between two objects, diffed over only the parts gracekeeper touches: the
// operations fast-json-patch's compare gives, in its order, without its costly deep copies.
import type { Operation } from 'fast-json-patch';
import type { KindRule } from './kinds.js';
import { isRecord } from '../kube/pod-types.js';

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

/**
 * fast-json-patch's compare over the two views. It returns at once for identical references, and
 * the engine's template copy is copy-on-write, so only the branches gracekeeper changed are walked;
 * it copies only the values it writes (a hook, a probe, an annotation).
 */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>, rule: KindRule): Operation[] {
  return compare(project(before, rule), project(after, rule));
}

/**
 * fast-json-patch's compare(mirror, obj) (version 3.1, not invertible), operation for operation:
 * removes and replaces walking the old keys from the last, then adds in the new keys' order. What
 * it wrote through JSON.parse(JSON.stringify(value)), a fifth of an admission's engine time in
 * profiles, is copied by jsonCopy, which makes the same value.
 */
export function compare(mirror: object, obj: object): Operation[] {
  const patches: Operation[] = [];
  generate(mirror as Record<string, unknown>, obj as Record<string, unknown>, patches, '');
  return patches;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function keysOf(value: Record<string, unknown> | unknown[]): string[] {
  if (!Array.isArray(value)) return Object.keys(value);
  const keys = new Array<string>(value.length);
  for (let k = 0; k < keys.length; k++) keys[k] = `${k}`;
  return keys;
}

/** A JSON Pointer's reference token (RFC 6901): "~" as "~0", "/" as "~1". */
function escapeToken(key: string): string {
  if (key.indexOf('/') === -1 && key.indexOf('~') === -1) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function generate(mirror: Record<string, unknown>, input: Record<string, unknown>, patches: Operation[], path: string): void {
  if (input === mirror) return;
  let obj = input;
  if (typeof obj.toJSON === 'function') obj = (obj.toJSON as () => Record<string, unknown>)();
  const newKeys = keysOf(obj);
  const oldKeys = keysOf(mirror);
  const objIsArray = Array.isArray(obj);
  const mirrorIsArray = Array.isArray(mirror);
  let deleted = false;
  for (let t = oldKeys.length - 1; t >= 0; t--) {
    const key = oldKeys[t] as string;
    const oldVal = mirror[key];
    if (hasOwn(obj, key) && !(obj[key] === undefined && oldVal !== undefined && !objIsArray)) {
      const newVal = obj[key];
      // Unchanged (the shared branches of the engine's copy-on-write): nothing, as below, but before building a path.
      if (newVal === oldVal) continue;
      if (
        typeof oldVal == 'object' &&
        oldVal != null &&
        typeof newVal == 'object' &&
        newVal != null &&
        Array.isArray(oldVal) === Array.isArray(newVal)
      ) {
        generate(oldVal as Record<string, unknown>, newVal as Record<string, unknown>, patches, `${path}/${escapeToken(key)}`);
      } else if (oldVal !== newVal) {
        patches.push({ op: 'replace', path: `${path}/${escapeToken(key)}`, value: jsonCopy(newVal) });
      }
    } else if (mirrorIsArray === objIsArray) {
      patches.push({ op: 'remove', path: `${path}/${escapeToken(key)}` });
      deleted = true;
    } else {
      patches.push({ op: 'replace', path, value: obj });
    }
  }
  if (!deleted && newKeys.length == oldKeys.length) return;
  for (let t = 0; t < newKeys.length; t++) {
    const key = newKeys[t] as string;
    if (!hasOwn(mirror, key) && obj[key] !== undefined) {
      patches.push({ op: 'add', path: `${path}/${escapeToken(key)}`, value: jsonCopy(obj[key]) });
    }
  }
}

/**
 * The value JSON.parse(JSON.stringify(value)) makes (fast-json-patch's _deepClone), built directly
 * for plain data: keys holding undefined, functions or symbols left out of objects and null in
 * arrays, -0 as 0 and numbers that are not finite as null, a "__proto__" key kept as a key. Anything else (a
 * toJSON, a class instance) takes the JSON round trip itself.
 */
export function jsonCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'object':
      return value === null ? null : copyJson(value);
    default:
      return value;
  }
}

function copyJson(value: object): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out[i] = jsonValue(item) ? copyItem(item) : null;
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(value)) as unknown;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (!jsonValue(item)) continue;
    const copy = copyItem(item);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}

/** Whether JSON.stringify writes the value (undefined, functions and symbols it leaves out). */
function jsonValue(value: unknown): boolean {
  const type = typeof value;
  return type !== 'undefined' && type !== 'function' && type !== 'symbol';
}

function copyItem(value: unknown): unknown {
  // JSON writes -0 as 0 and numbers that are not finite as null.
  if (typeof value === 'number') return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
  if (typeof value === 'object' && value !== null) return copyJson(value);
  return value;
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
  const child = isRecord(object[head]) ? object[head] : {};
  return { ...object, [head]: rest.length === 0 ? value : withPath(child, rest, value) };
}
