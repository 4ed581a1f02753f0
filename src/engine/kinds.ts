// Which kinds and operations are in scope, and where each kind keeps its pod template.
import type { AdmissionOperation, GroupVersionKind } from '../kube/gvk.js';

export type KindClass = 'pod' | 'workload';

export interface KindRule {
  group: string;
  version: string;
  kind: string;
  class: KindClass;
  operations: readonly AdmissionOperation[];
  /** Property path from the object to its pod template ([] for a Pod: metadata + spec at the root). */
  templatePath: readonly string[];
  /** Whether spec.minReadySeconds exists on this kind. */
  hasMinReadySeconds: boolean;
  /** The resource's plural, for its API path (the audit lists it). */
  plural: string;
  /**
   * Audited at its controller instead, when it has one of this kind ('any': any controller): a
   * ReplicaSet's Deployment, a Job's CronJob, a Pod's workload.
   */
  auditedAtController?: string;
}

const RULES: readonly KindRule[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    class: 'pod',
    operations: ['CREATE'],
    templatePath: [],
    hasMinReadySeconds: false,
    plural: 'pods',
    auditedAtController: 'any',
  },
  ...(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] as const).map((kind): KindRule => ({
    group: 'apps',
    version: 'v1',
    kind,
    class: 'workload',
    operations: ['CREATE', 'UPDATE'],
    templatePath: ['spec', 'template'],
    hasMinReadySeconds: true,
    plural: `${kind.toLowerCase()}s`,
    ...(kind === 'ReplicaSet' ? { auditedAtController: 'Deployment' } : {}),
  })),
  {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    class: 'workload',
    operations: ['CREATE'],
    templatePath: ['spec', 'template'],
    hasMinReadySeconds: false,
    plural: 'jobs',
    auditedAtController: 'CronJob',
  },
  {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    class: 'workload',
    operations: ['CREATE', 'UPDATE'],
    templatePath: ['spec', 'jobTemplate', 'spec', 'template'],
    hasMinReadySeconds: false,
    plural: 'cronjobs',
  },
];

/** The rule for a kind, or undefined when gracekeeper never touches it. */
export function findKindRule(gvk: GroupVersionKind): KindRule | undefined {
  return RULES.find((r) => r.group === gvk.group && r.version === gvk.version && r.kind === gvk.kind);
}

export const SUPPORTED_KINDS: readonly KindRule[] = RULES;
