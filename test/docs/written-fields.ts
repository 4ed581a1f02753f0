// What gracekeeper writes into a workload, as paths: the one list the GitOps snippets
// (docs/gitops.md, docs/examples/) are checked against. "*" is every element of a list. Extend
// it when the engine writes a new field; the kinds and their pod template paths come from the
// engine's own table (src/engine/kinds.ts).
import { SUPPORTED_KINDS } from '../../src/engine/kinds.js';
import { RECORD_KEY } from '../../src/settings/keys.js';

/** Fields under a pod template (metadata + spec). */
export const TEMPLATE_FIELDS: readonly (readonly string[])[] = [
  ...['containers', 'initContainers'].flatMap((list) => [
    ['spec', list, '*', 'lifecycle', 'preStop'],
    ['spec', list, '*', 'readinessProbe'],
    ['spec', list, '*', 'startupProbe'],
  ]),
  ['spec', 'terminationGracePeriodSeconds'],
  ['metadata', 'annotations', RECORD_KEY],
];

/** Fields of the workload object itself, for the kinds that have them. */
export const MIN_READY_SECONDS = ['spec', 'minReadySeconds'] as const;

export interface WorkloadFields {
  group: string;
  kind: string;
  fields: string[][];
}

/** Every kind gracekeeper mutates as a workload (Pods are not kept in Git) with its fields. */
export function writtenFields(): WorkloadFields[] {
  return SUPPORTED_KINDS.filter((k) => k.class === 'workload').map((k) => ({
    group: k.group,
    kind: k.kind,
    fields: [...TEMPLATE_FIELDS.map((f) => [...k.templatePath, ...f]), ...(k.hasMinReadySeconds ? [[...MIN_READY_SECONDS]] : [])],
  }));
}
