// The working copy one admission changes. The pod template is copied only where strip and inject
// assign (its spec and each container: they replace lifecycle, probes and the grace period, never
// edit inside them); everything deeper is shared with the request's object, so the diff, which
// skips identical references, walks only what changed, and a 1 MiB env is never cloned. Kinds
// with workload-level fields (minReadySeconds) get a shallow copy of the object's spec too.
// Values are read and written here by name, so the record treats them alike wherever they live.
import { copyOf } from './copy.js';
import type { KindRule } from './kinds.js';
import { isRecord, type Container, type ObjectMeta, type PodSpec, type PodTemplate } from '../kube/pod-types.js';

export interface Work {
  /** The template's metadata is the request's own until an annotation is written (writeAnnotation copies it). */
  template: PodTemplate & { metadata: ObjectMeta };
  ownMetadata?: boolean;
  /** A copy of the object's spec, for kinds with workload-level fields; undefined otherwise. */
  workloadSpec?: Record<string, unknown>;
}

/** The numbers gracekeeper sets, outside the containers: each is recorded as from/to. */
export type ValueField = 'terminationGracePeriodSeconds' | 'minReadySeconds';
export const VALUE_FIELDS: readonly ValueField[] = ['terminationGracePeriodSeconds', 'minReadySeconds'];

/**
 * The containers, each copied, in an array filled by push: an array made by Array.prototype.map
 * changed its map after a few thousand admissions, and every optimised function that iterates
 * containers was deoptimised and compiled again (twice, in the first 7,000 admissions).
 */
function copyContainers(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  const copies: Container[] = [];
  for (const c of list as Container[]) copies.push(copyOf(c));
  return copies;
}

export function workOn(
  rule: KindRule,
  object: Record<string, unknown>,
  templateMeta: ObjectMeta | undefined,
  spec: PodSpec,
): Work {
  const copy = copyOf(spec);
  copy.containers = copyContainers(spec.containers) as Container[];
  if ('initContainers' in spec) copy.initContainers = copyContainers(spec.initContainers) as Container[];
  const work: Work = { template: { metadata: templateMeta ?? {}, spec: copy } };
  if (rule.hasMinReadySeconds) work.workloadSpec = isRecord(object.spec) ? copyOf(object.spec) : {};
  return work;
}

/** The request's object seen as a Work, copying nothing: for reading only (what it held before). */
export function viewOf(
  rule: KindRule,
  object: Record<string, unknown>,
  templateMeta: ObjectMeta | undefined,
  spec: PodSpec,
): Work {
  const view: Work = { template: { metadata: templateMeta ?? {}, spec } };
  if (rule.hasMinReadySeconds) view.workloadSpec = isRecord(object.spec) ? object.spec : {};
  return view;
}

/** Whether this kind has the field at all (a Pod has no minReadySeconds). */
export function hasValue(work: Work, field: ValueField): boolean {
  return field === 'terminationGracePeriodSeconds' || work.workloadSpec !== undefined;
}

/**
 * What the API server writes into a pod spec that leaves the field unset, before any admission
 * webhook sees it (SetDefaults_PodSpec: terminationGracePeriodSeconds 30, for a Pod and for the pod
 * template of every workload alike). The engine reads an unset field as that default, so that
 * `gracekeeper mutate` on a manifest and the webhook on the same object decide and record the same.
 */
export const API_SERVER_DEFAULTS: Partial<Record<ValueField, number>> = { terminationGracePeriodSeconds: 30 };

/** The value as the API server hands it to admission: the object's own, else the server's default. */
export function readValue(work: Work, field: ValueField): number | undefined {
  const value = field === 'terminationGracePeriodSeconds' ? work.template.spec[field] : work.workloadSpec?.[field];
  return typeof value === 'number' ? value : API_SERVER_DEFAULTS[field];
}

export function writeValue(work: Work, field: ValueField, value: number | undefined): void {
  const target: Record<string, unknown> | undefined =
    field === 'terminationGracePeriodSeconds' ? work.template.spec : work.workloadSpec;
  if (!target) return;
  if (value === undefined) delete target[field];
  else target[field] = value;
}

/** Sets (or, with undefined, removes) one of the template's annotations, copying the metadata on the first write. */
export function writeAnnotation(work: Work, key: string, value: string | undefined): void {
  const current = work.template.metadata.annotations;
  if (current?.[key] === value) return;
  if (!work.ownMetadata) {
    work.template.metadata = { ...work.template.metadata, annotations: { ...current } };
    work.ownMetadata = true;
  }
  const annotations = (work.template.metadata.annotations ??= {});
  if (value === undefined) delete annotations[key];
  else annotations[key] = value;
}
