// Whether a request is gracekeeper's business at all, before any settings are read.
import { BUILT_IN_EXCLUDED_NAMESPACES, type ClusterSettings } from '../settings/cluster-settings.js';
import { INJECT_KEY } from '../settings/keys.js';
import { boolean } from '../settings/value-forms.js';
import { findKindRule, type KindRule } from './kinds.js';
import type { ObjectMeta } from '../kube/pod-types.js';
import type { AdmissionInput } from './types.js';
import { fail, ok, type Result } from '../kube/result.js';

/** The kind's rule when the request is in scope, else why not. */
export function decideScope(input: AdmissionInput): Result<KindRule> {
  const rule = findKindRule(input.kind);
  if (!rule) return fail('kind not handled');
  if (input.subResource) return fail('subresource');
  if (!rule.operations.includes(input.operation)) return fail('operation not handled');
  if (isExcludedNamespace(input.namespace, input.cluster)) return fail('namespace excluded');
  if (input.cluster.targets === 'pods' && rule.class === 'workload') return fail('targets: pods');
  if (input.cluster.targets === 'workloads' && rule.class === 'pod') return fail('targets: workloads');
  return ok(rule);
}

export function isExcludedNamespace(namespace: string, cluster: ClusterSettings): boolean {
  return (
    (BUILT_IN_EXCLUDED_NAMESPACES as readonly string[]).includes(namespace) ||
    namespace === cluster.ownNamespace ||
    cluster.excludeNamespaces.includes(namespace)
  );
}

/** The label `gracekeeper.io/inject: disabled` (normally filtered by the objectSelector already). */
export function hasOptOutLabel(meta: ObjectMeta | undefined): boolean {
  return meta?.labels?.[INJECT_KEY] === 'disabled';
}

/** The annotation `gracekeeper.io/inject: "false"`. */
export function hasOptOutAnnotation(meta: ObjectMeta | undefined): boolean {
  return injectAnnotation(meta?.annotations) === false;
}

/** `gracekeeper.io/inject` of an annotation map: true, false, or undefined when absent or invalid. */
export function injectAnnotation(annotations: Record<string, string> | undefined): boolean | undefined {
  const value = annotations?.[INJECT_KEY];
  return typeof value === 'string' ? boolean(value) : undefined;
}

/**
 * Whether an object is opted out, and why, by `gracekeeper.io/inject`, the nearest layer deciding:
 * the Pod's or pod template's annotation, the workload's, the Namespace's, then the cluster's
 * `defaults.inject`. "true" at a nearer layer opts back in what a farther one opted out.
 */
export function optOutByLayers(layers: {
  template: Record<string, string> | undefined;
  workload: Record<string, string> | undefined;
  namespace: Record<string, string> | undefined;
  clusterDefault: boolean;
}): { optOut: false } | { optOut: true; by: 'template' | 'workload' | 'namespace' | 'cluster' } {
  const steps = [
    ['template', injectAnnotation(layers.template)],
    ['workload', injectAnnotation(layers.workload)],
    ['namespace', injectAnnotation(layers.namespace)],
    ['cluster', layers.clusterDefault],
  ] as const;
  for (const [by, inject] of steps) {
    if (inject === true) return { optOut: false };
    if (inject === false) return { optOut: true, by };
  }
  return { optOut: false };
}
