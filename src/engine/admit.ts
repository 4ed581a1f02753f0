// The engine: one admission in, the mutated object, its JSON Patch, warnings or a denial out. Pure.
// Five steps: find the target, resolve its settings, strip what an earlier pass added, inject
// afresh, then write the record and diff.
import type { Operation } from 'fast-json-patch';
import { BASELINE_KEY } from './record/mark.js';
import { INJECT_KEY, PREFIX, RECORD_KEY } from '../settings/keys.js';
import { describeChanges } from './changes.js';
import { copyOf } from './copy.js';
import { injectTemplate, type InjectContext, type InjectOutcome } from './inject.js';
import { diff, withPath } from './patch.js';
import type { ObjectMeta } from '../kube/pod-types.js';
import type { FingerprintMemo } from './record/fingerprint.js';
import { emptyRecord, recordHasChanges, serialiseRecord, type InjectionRecord } from './record/record.js';
import { stripInjected } from './record/strip.js';
import { carriedAnnotations, settingsFor, type RequestSettings } from './request-settings.js';
import { podShape } from './rules/readiness-gate.js';
import { injectAnnotation } from './scope.js';
import { findTarget, governingService, type Target } from './target.js';
import type { AdmissionInput, AdmissionResult } from './types.js';
import { outcomeWarnings } from './outcomes/advice.js';
import { clip } from '../kube/clip.js';
import { hasValue, VALUE_FIELDS, viewOf, workOn, type Work } from './work.js';

export function admit(input: AdmissionInput): AdmissionResult {
  // 1. The target: in scope, a pod template, the earlier record, an opt-out.
  const found = findTarget(input);
  if (!found.ok) return unchanged(input, 'skipped', found.error.reason, found.error.warnings);
  const target = found.value;

  // 2. Settings: cluster < Namespace < workload < template (or Pod). An opt-out needs none.
  const resolved = target.optOut ? undefined : resolve(input, target);
  if (resolved?.denial) return denied(input, resolved);

  // 3. Strip: a working copy without what the earlier record says gracekeeper added.
  const memo: FingerprintMemo = new Map();
  const work = workOn(target.rule, target.object, target.templateMeta, target.template.spec);
  if (target.earlier) stripInjected(work, target.earlier, memo);

  // 4. Inject afresh, noting each addition in a new record (nothing, for an opt-out).
  const injected: InjectOutcome = resolved
    ? injectTemplate(work, {
        settings: resolved.settings,
        cluster: input.cluster,
        kubeVersion: input.kubeVersion,
        traffic: input.traffic,
        earlierSleep: earlierSleep(target, input.cluster),
        announce: target.rule.class === 'workload' && !target.controlled,
        memo,
        readiness: readinessContext(input, target),
        namespaceLabels: input.namespaceLabels,
        namespaceAnnotations: input.namespaceAnnotations,
      })
    : { record: emptyRecord(), warnings: [] };
  if (resolved) carryOver(injected.record, target, work);

  // 5. The record written into the template, and the JSON Patch from the request's object.
  const mutated = withRecord(target, work, injected.record);
  const patch: Operation[] = diff(target.object, mutated, target.rule);
  // Pushed rather than spread from a map() (see copyContainers in work.ts: the same deoptimisation).
  const warnings = [...target.warnings, ...(resolved?.warnings ?? [])];
  for (const w of injected.warnings) warnings.push(clip(w));
  // What the workload's recent pods showed (an UPDATE of a workload only): advice, never a change.
  if (input.outcomes && input.operation === 'UPDATE' && target.rule.class === 'workload')
    warnings.push(...outcomeWarnings(input.outcomes).map((w) => clip(w)));
  const invalidAnnotations = resolved?.invalidCount ?? 0;
  const sleepFamily = injected.sleepFamily ? { sleepFamily: injected.sleepFamily } : {};
  if (patch.length === 0) return { ...unchanged(input, 'unchanged', undefined, warnings), invalidAnnotations, ...sleepFamily };
  // Only now, with a patch to describe: an unchanged admission (every Pod made from a mutated
  // template) skips this walk over the containers.
  const before = viewOf(target.rule, target.object, target.templateMeta, target.template.spec);
  const changes = describeChanges(before, work, injected.record, target.earlier, memo);
  return {
    outcome: 'mutated',
    ...(target.optOut ? { reason: `${target.optOut}: took back what gracekeeper added` } : {}),
    object: mutated,
    patch,
    warnings,
    changes: changes.length > 0 ? changes : ['record'],
    invalidAnnotations,
    ...sleepFamily,
  };
}

/**
 * What an earlier `auto` decision means now. A Pod is sized again at its CREATE, never below what
 * its template had (a Service or Ingress added since takes effect on the next Pods); a workload a
 * controller made from a template (a ReplicaSet of a Deployment) keeps its template's exactly, so
 * that it stays the template its controller made; any other workload is sized afresh.
 */
function earlierSleep(target: Target, cluster: AdmissionInput['cluster']): InjectContext['earlierSleep'] {
  if (!target.earlier) return undefined;
  // A record without `sleep` is one whose sleep propagationDelay decided (or a fixed one's).
  const sleep = target.earlier.sleep ?? { seconds: cluster.propagationDelay, by: 'propagationDelay' };
  if (target.rule.class === 'pod') return { ...sleep, use: 'floor' };
  return target.controlled ? { ...sleep, use: 'keep' } : undefined;
}

/** What the readiness rule needs beyond the template: the object's shape, an opt-in, the earlier pass. */
function readinessContext(input: AdmissionInput, target: Target): InjectContext['readiness'] {
  const own = { ...target.workloadAnnotations, ...target.templateMeta?.annotations };
  // The governing Service is named by the object itself; the traffic facts say what is known of it
  // (nothing, without them: then it is not known).
  const name = governingService(input.kind, target.object);
  const known = input.traffic?.governing?.name === name ? input.traffic?.governing?.service : undefined;
  return {
    governing: name === undefined ? undefined : { name, ...(known ? { service: known } : {}) },
    shape: podShape(target.rule.kind, target.object, target.template.spec),
    optIn: OPT_IN_KEYS.some((k) => typeof own[k] === 'string'),
    earlierAdded: (target.earlier?.added.readinessProbe?.length ?? 0) > 0,
  };
}

const OPT_IN_KEYS = [`${PREFIX}readiness-port`, `${PREFIX}readiness-path`];

function resolve(input: AdmissionInput, target: Target): RequestSettings {
  const isPod = target.rule.class === 'pod';
  return settingsFor(input.cluster, target.rule.class, target.rule.kind, [
    { source: 'namespace', annotations: input.namespaceAnnotations },
    { source: 'workload', annotations: target.workloadAnnotations },
    { source: isPod ? 'pod' : 'template', annotations: target.templateMeta?.annotations },
  ]);
}

/**
 * What the new record keeps from the earlier one and the workload: the workload-level annotations
 * (so a Pod made from the template is mutated as the template was), and entries for values this
 * kind does not have (a Pod's record came from its template: its minReadySeconds stays as it was).
 */
function carryOver(record: InjectionRecord, target: Target, work: Work): void {
  // A workload's own annotations, bounded (carriedAnnotations); a Pod's, from its template's record, as they are.
  const workload = target.rule.class === 'pod' ? target.workloadAnnotations : carriedAnnotations(target.workloadAnnotations);
  // A workload's opt-in ("true" against a Namespace's or the cluster's "false") goes to its Pods too.
  const meta = target.object.metadata as ObjectMeta | undefined;
  if (target.rule.class === 'workload' && injectAnnotation(meta?.annotations) === true) workload[INJECT_KEY] = 'true';
  if (Object.keys(workload).length > 0) record.workload = workload;
  for (const field of VALUE_FIELDS) {
    const earlier = target.earlier?.[field];
    if (earlier && !hasValue(work, field)) record[field] = earlier;
  }
}

/** The request's object with the work's template (and workload spec) and the record in place. */
function withRecord(target: Target, work: Work, record: InjectionRecord): Record<string, unknown> {
  const { templateMeta } = target;
  const annotations = copyOf(work.template.metadata.annotations ?? {});
  if (recordHasChanges(record) || record.workload) annotations[RECORD_KEY] = serialiseRecord(record);
  else delete annotations[RECORD_KEY];
  // The baseline's mark is read as an earlier record (target.ts); what it named is now in the record.
  delete annotations[BASELINE_KEY];
  const template: Record<string, unknown> = copyOf(target.template);
  template.spec = work.template.spec;
  if (templateMeta || Object.keys(annotations).length > 0) {
    const metadata: ObjectMeta = copyOf(templateMeta ?? {});
    if (Object.keys(annotations).length > 0 || templateMeta?.annotations) metadata.annotations = annotations;
    template.metadata = metadata;
  }
  const object = work.workloadSpec ? { ...target.object, spec: work.workloadSpec } : target.object;
  return withPath(object, target.rule.templatePath, template);
}

function unchanged(
  input: AdmissionInput,
  outcome: 'skipped' | 'unchanged',
  reason?: string,
  warnings: string[] = [],
): AdmissionResult {
  return { outcome, reason, object: input.object, patch: [], warnings, changes: [], invalidAnnotations: 0 };
}

function denied(input: AdmissionInput, resolved: RequestSettings): AdmissionResult {
  return {
    outcome: 'denied',
    object: input.object,
    patch: [],
    warnings: resolved.warnings,
    changes: [],
    invalidAnnotations: resolved.invalidCount,
    denial: resolved.denial,
  };
}
