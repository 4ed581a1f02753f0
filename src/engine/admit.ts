// The engine: one admission in, the mutated object, its JSON Patch, warnings or a denial out. Pure.
import { RECORD_KEY } from '../settings/keys.js';
import type { AnnotationLayer } from '../settings/types.js';
import { copyOf } from './copy.js';
import type { FingerprintMemo } from './record/fingerprint.js';
import { injectTemplate } from './inject.js';
import { diff, getPath, withPath } from './patch.js';
import { isPodSpec, isRecord, type ObjectMeta, type PodTemplate } from './pod-types.js';
import { readRecord, recordHasChanges, serialiseRecord } from './record/record.js';
import { clip, gracekeeperAnnotations, settingsFor } from './request-settings.js';
import { decideScope, hasOptOutAnnotation, hasOptOutLabel } from './scope.js';
import { stripInjected } from './record/strip.js';
import { copyTemplate } from './template-copy.js';
import { describeChanges } from './changes.js';
import type { AdmissionInput, AdmissionResult } from './types.js';

function unchanged(
  input: AdmissionInput,
  outcome: 'skipped' | 'unchanged',
  reason?: string,
  warnings: string[] = [],
): AdmissionResult {
  return { outcome, reason, object: input.object, patch: [], warnings, changes: [], invalidAnnotations: 0 };
}

export function admit(input: AdmissionInput): AdmissionResult {
  const scope = decideScope(input);
  if (!scope.inScope) return unchanged(input, 'skipped', scope.reason);
  const { rule } = scope;
  const object = input.object;
  if (!isRecord(object)) return unchanged(input, 'skipped', 'no object');
  const meta = (isRecord(object.metadata) ? object.metadata : {}) as ObjectMeta;
  const rawTemplate = getPath(object, rule.templatePath);
  if (!isRecord(rawTemplate) || !isPodSpec(rawTemplate.spec)) return unchanged(input, 'skipped', 'no pod spec');
  const templateMeta: ObjectMeta | undefined = isRecord(rawTemplate.metadata) ? rawTemplate.metadata : undefined;

  const isPod = rule.class === 'pod';
  if (hasOptOutLabel(meta) || hasOptOutLabel(templateMeta)) return unchanged(input, 'skipped', 'opted out (label)');
  if (hasOptOutAnnotation(templateMeta)) return unchanged(input, 'skipped', 'opted out (annotation)');
  if (!isPod && hasOptOutAnnotation(meta)) {
    return unchanged(input, 'skipped', 'opted out (annotation)', [
      clip(`${rule.kind} opted out, but its Pods are not: put gracekeeper.io/inject: "false" on the pod template`),
    ]);
  }

  const oldRecord = readRecord(templateMeta?.annotations);
  const workloadAnnotations = isPod ? (oldRecord?.workload ?? {}) : gracekeeperAnnotations(meta.annotations);
  const layers: AnnotationLayer[] = [
    { source: 'namespace', annotations: input.namespaceAnnotations },
    { source: 'workload', annotations: workloadAnnotations },
    { source: isPod ? 'pod' : 'template', annotations: templateMeta?.annotations },
  ];
  const resolved = settingsFor(input.cluster, rule.class, rule.kind, layers);
  if (resolved.denial) {
    return {
      outcome: 'denied',
      reason: undefined,
      object: input.object,
      patch: [],
      warnings: resolved.warnings,
      changes: [],
      invalidAnnotations: resolved.invalidCount,
      denial: resolved.denial,
    };
  }

  const template = copyTemplate(templateMeta, rawTemplate.spec);
  const memo: FingerprintMemo = new Map();
  if (oldRecord) stripInjected(template, oldRecord, memo);
  const injected = injectTemplate(template, {
    settings: resolved.settings,
    cluster: input.cluster,
    kubeVersion: input.kubeVersion,
    memo,
  });
  const record = injected.record;
  if (!isPod && Object.keys(workloadAnnotations).length > 0) record.workload = workloadAnnotations;
  if (isPod && oldRecord?.workload) record.workload = oldRecord.workload;
  // A Pod's record came from its template: the workload's minReadySeconds entry stays as it was.
  if (isPod && oldRecord?.minReadySeconds) record.minReadySeconds = oldRecord.minReadySeconds;

  let minReadyChange: string | undefined;
  let spec = isRecord(object.spec) ? object.spec : {};
  if (rule.hasMinReadySeconds) {
    const previous = oldRecord?.minReadySeconds;
    let current = spec.minReadySeconds as number | undefined;
    if (previous && current === previous.to) current = undefined;
    const wanted = resolved.settings.minReadySeconds;
    if (current === undefined && wanted !== undefined) record.minReadySeconds = { from: null, to: wanted };
    const next = current ?? wanted;
    if (next !== spec.minReadySeconds) {
      minReadyChange = `minReadySeconds:${typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 'unset'}->${next ?? 'unset'}`;
      spec = { ...spec };
      if (next === undefined) delete spec.minReadySeconds;
      else spec.minReadySeconds = next;
    }
  }

  const annotations = copyOf(template.metadata.annotations ?? {});
  if (recordHasChanges(record) || record.workload) annotations[RECORD_KEY] = serialiseRecord(record);
  else delete annotations[RECORD_KEY];
  const newTemplate: Record<string, unknown> = copyOf(rawTemplate);
  newTemplate.spec = template.spec;
  if (templateMeta || Object.keys(annotations).length > 0) {
    newTemplate.metadata = copyOf(templateMeta ?? {});
    if (Object.keys(annotations).length > 0 || templateMeta?.annotations)
      (newTemplate.metadata as ObjectMeta).annotations = annotations;
  }
  let mutated: Record<string, unknown> = rule.hasMinReadySeconds ? { ...object, spec } : object;
  mutated = withPath(mutated, rule.templatePath, newTemplate);
  const patch = diff(object, mutated, rule);
  const warnings = [...resolved.warnings, ...injected.warnings.map((w) => clip(w))];
  if (patch.length === 0) {
    return { ...unchanged(input, 'unchanged', undefined, warnings), invalidAnnotations: resolved.invalidCount };
  }
  // Only now, with a patch to describe: an unchanged admission (every Pod made from a mutated
  // template) skips this walk over the containers.
  const changes = describeChanges(rawTemplate as unknown as PodTemplate, template, record, memo);
  if (minReadyChange) changes.push(minReadyChange);
  return {
    outcome: 'mutated',
    object: mutated,
    patch,
    warnings,
    changes: changes.length > 0 ? changes : ['record'],
    invalidAnnotations: resolved.invalidCount,
  };
}
