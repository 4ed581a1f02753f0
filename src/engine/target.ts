// Step one of an admission: is the object gracekeeper's business, where is its pod template, what
// did an earlier pass record, and does it opt out. An object that opts out after gracekeeper
// mutated it is still a target: what the record says gracekeeper added is taken back.
import { gracekeeperAnnotations } from './request-settings.js';
import { findKindRule, type KindRule } from './kinds.js';
import { controllerOf } from './owner.js';
import { getPath } from './patch.js';
import { isPodSpec, isRecord, type ObjectMeta, type PodSpec } from '../kube/pod-types.js';
import { earlierWithMark, readMark } from './record/mark.js';
import { readRecord, type InjectionRecord } from './record/record.js';
import { decideScope, hasOptOutLabel, optOutByLayers } from './scope.js';
import type { AdmissionInput, GroupVersionKind } from './types.js';
import { clip } from '../kube/clip.js';
import { fail, ok, type Result } from '../kube/result.js';

export interface Target {
  rule: KindRule;
  object: Record<string, unknown>;
  /** The pod template (the Pod itself for a Pod) as the request holds it. */
  template: Record<string, unknown> & { spec: PodSpec };
  templateMeta: ObjectMeta | undefined;
  /** The record an earlier pass left on the template. */
  earlier: InjectionRecord | undefined;
  /** Workload-level gracekeeper annotations: the workload's own, or for a Pod those its template carried. */
  workloadAnnotations: Record<string, string>;
  /** Why the object opts out, when it does: nothing is added and the earlier additions are taken back. */
  optOut?: string;
  /** Made by a controller from a template (a ReplicaSet of a Deployment, a Job of a CronJob). */
  controlled: boolean;
  warnings: string[];
}

const OPT_OUT_REASONS = {
  template: 'opted out (annotation)',
  workload: 'opted out (annotation)',
  namespace: 'opted out (Namespace annotation)',
  cluster: 'opted out (cluster defaults.inject)',
} as const;

/** Why an object is left as it is: the reason the admission reports, and the warnings found on the way. */
export interface Skip {
  reason: string;
  warnings: string[];
}

export function findTarget(input: AdmissionInput): Result<Target, Skip> {
  const scope = decideScope(input);
  if (!scope.ok) return fail({ reason: scope.error, warnings: [] });
  const rule = scope.value;
  const object = input.object;
  if (!isRecord(object)) return fail({ reason: 'no object', warnings: [] });
  const meta: ObjectMeta = isRecord(object.metadata) ? object.metadata : {};
  const template = getPath(object, rule.templatePath);
  if (!isRecord(template) || !isPodSpec(template.spec)) return fail({ reason: 'no pod spec', warnings: [] });
  const templateMeta: ObjectMeta | undefined = isRecord(template.metadata) ? template.metadata : undefined;
  const isPod = rule.class === 'pod';
  // gracekeeper's record, else what the in-process baseline marked (its values are gracekeeper's own).
  const own = readRecord(templateMeta?.annotations);
  const earlier = earlierWithMark(own, templateMeta?.annotations);

  const controlled =
    Array.isArray(meta.ownerReferences) && meta.ownerReferences.some((r) => isRecord(r) && r.controller === true);
  // A template its controller copied (a ReplicaSet's, a Job's) with only the baseline in it stays the
  // copy: refined, it would differ from the controller's own template, which the controller compares.
  if (!own && controlled && !isPod && readMark(templateMeta?.annotations))
    return fail({ reason: 'baseline kept: its controller refines the template', warnings: [] });
  const workloadAnnotations = isPod
    ? (earlier?.workload ?? input.ownerAnnotations ?? {})
    : workloadLayer(meta, earlier, controlled);

  const warnings: string[] = [];
  let optOut: string | undefined;
  const byAnnotation = optOutByLayers({
    template: templateMeta?.annotations,
    // A Pod's workload layer is what its template's record carried (an opt-in "true" among it);
    // a controlled workload's (a ReplicaSet's) also what its template's record carried from its owner.
    workload: isPod ? workloadAnnotations : { ...(controlled ? earlier?.workload : {}), ...meta.annotations },
    namespace: input.namespaceAnnotations,
    clusterDefault: input.cluster.defaults.inject,
  });
  if (hasOptOutLabel(meta) || hasOptOutLabel(templateMeta)) optOut = 'opted out (label)';
  else if (byAnnotation.optOut) {
    optOut = OPT_OUT_REASONS[byAnnotation.by];
    if (byAnnotation.by === 'workload' && !isPod) {
      warnings.push(clip(`${rule.kind} opted out, but its Pods are not: put gracekeeper.io/inject: "false" on the pod template`));
    }
  }
  if (optOut && !earlier) return fail({ reason: optOut, warnings });
  return ok({
    rule,
    object,
    template: template as Target['template'],
    templateMeta,
    earlier,
    workloadAnnotations,
    optOut,
    controlled,
    warnings,
  });
}

/**
 * A workload's own gracekeeper annotations. One made by a controller from a template (a Job from
 * a CronJob, a ReplicaSet from a Deployment) also keeps those its template's record carried from
 * that controller, its own winning: else a CronJob's annotations would be lost at its Job.
 */
function workloadLayer(meta: ObjectMeta, earlier: InjectionRecord | undefined, controlled: boolean): Record<string, string> {
  const own = gracekeeperAnnotations(meta.annotations);
  return controlled && earlier?.workload ? { ...earlier.workload, ...own } : own;
}

/** The labels of the pods an object makes (a Pod's own, a workload's pod template's), for the traffic index. */
export function podLabels(kind: GroupVersionKind, object: unknown): Record<string, string> | undefined {
  const rule = findKindRule(kind);
  if (!rule || !isRecord(object)) return undefined;
  const template = getPath(object, rule.templatePath);
  const meta = isRecord(template) && isRecord(template.metadata) ? template.metadata : undefined;
  return isRecord(meta?.labels) ? (meta.labels as Record<string, string>) : undefined;
}

/**
 * The governing Service of a StatefulSet (spec.serviceName) or of a Pod one made (its
 * spec.subdomain, which the StatefulSet controller sets to it), for the readiness rule.
 */
export function governingService(kind: GroupVersionKind, object: unknown): string | undefined {
  if (!isRecord(object) || !isRecord(object.spec)) return undefined;
  if (kind.group === 'apps' && kind.kind === 'StatefulSet') {
    return typeof object.spec.serviceName === 'string' && object.spec.serviceName !== '' ? object.spec.serviceName : undefined;
  }
  if (kind.group !== '' || kind.kind !== 'Pod' || !controllerOf(object.metadata, [STATEFULSET])) return undefined;
  return typeof object.spec.subdomain === 'string' && object.spec.subdomain !== '' ? object.spec.subdomain : undefined;
}

const STATEFULSET = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
