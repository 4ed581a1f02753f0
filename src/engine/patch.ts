// The JSON Patch between two objects, diffed by fast-json-patch over only the parts gracekeeper touches.
import fastJsonPatch, { type Operation } from 'fast-json-patch';
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
 * it deep-copies only the values it writes (a hook, a probe, an annotation).
 */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>, rule: KindRule): Operation[] {
  return fastJsonPatch.compare(project(before, rule), project(after, rule));
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
