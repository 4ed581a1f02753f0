// Where no readiness probe belongs, whatever the ports say. A pod that runs to completion (a Job's,
// a CronJob's, restartPolicy Never or OnFailure) is sent no traffic: a probe only adds kubelet
// work and advice nobody can act on. A StatefulSet whose pods find their peers through a headless
// governing Service that publishes only Ready addresses, started one by one (OrderedReady): a new
// probe delays each peer's DNS name until it is Ready and the next pod until then, which can keep
// a cluster (a database, a registry) from ever forming. Explicit readiness-port or readiness-path
// on the workload or pod is the user's decision and opts back in.
import type { GoverningFacts } from '../../traffic/types.js';
import { controllerOf } from '../owner.js';
import { isRecord, type PodSpec } from '../../kube/pod-types.js';
import { MAX_WARNING_CHARS } from '../../kube/clip.js';

export interface PodShape {
  runsToCompletion: boolean;
  /** A StatefulSet's pod management policy; `unknown` for a Pod it made (a Pod does not carry it). */
  podManagement?: 'OrderedReady' | 'Parallel' | 'unknown';
}

export interface GateInput {
  shape: PodShape;
  governing: GoverningFacts | undefined;
  /** readiness-port or readiness-path set on the workload, its template or the Pod. */
  optIn: boolean;
  /** The template's record (a Pod's earlier pass) added a readiness probe: its workload's decision allowed one. */
  earlierAdded: boolean;
}

const JOB = [{ apiVersion: 'batch/v1', kind: 'Job' }];

export function podShape(kind: string, object: Record<string, unknown>, spec: PodSpec): PodShape {
  const runsToCompletion =
    kind === 'Job' ||
    kind === 'CronJob' ||
    spec.restartPolicy === 'Never' ||
    spec.restartPolicy === 'OnFailure' ||
    (kind === 'Pod' && controllerOf(object.metadata, JOB) !== undefined);
  const objectSpec = isRecord(object.spec) ? object.spec : {};
  if (kind === 'StatefulSet') {
    return { runsToCompletion, podManagement: objectSpec.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady' };
  }
  return kind === 'Pod' ? { runsToCompletion, podManagement: 'unknown' } : { runsToCompletion };
}

/** Undefined: probes may be added; else why none is, and the warning to give (none for batch pods). */
export function readinessGate(input: GateInput): { warning?: string } | undefined {
  const { shape, governing } = input;
  if (input.optIn) return undefined;
  if (shape.runsToCompletion) return {};
  if (!governing || shape.podManagement === undefined) return undefined;
  const service = governing.service;
  if (!service) {
    if (shape.podManagement === 'unknown' && input.earlierAdded) return undefined;
    return {
      warning: `no readiness probe: governing Service "${governing.name}" not seen; set gracekeeper.io/readiness-port to add one`,
    };
  }
  if (!service.headless || service.publishNotReadyAddresses || shape.podManagement === 'Parallel') return undefined;
  if (shape.podManagement === 'unknown' && input.earlierAdded) return undefined;
  return { warning: headlessWarning(governing.name) };
}

/** Names both settings; the Service too when the line has room for it. */
function headlessWarning(name: string): string {
  const named = `no readiness probe: Service "${name}" is headless, no publishNotReadyAddresses; podManagementPolicy OrderedReady`;
  return named.length <= MAX_WARNING_CHARS
    ? named
    : 'no readiness probe: headless governing Service lacks publishNotReadyAddresses; podManagementPolicy is OrderedReady';
}
