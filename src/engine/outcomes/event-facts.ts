// A core/v1 Event (plain JSON) about a Pod to the facts outcomes read (types.ts). The kubelet
// writes these through the core/v1 API (its EventRecorder); events.k8s.io/v1 serves the same
// objects. Of the message only the first word of a probe failure is read ("Readiness probe
// failed: ...", pkg/kubelet/prober/prober.go), never kept: it can hold what the probe printed.
import { isRecord } from '../../kube/pod-types.js';
import type { PodEventFacts } from './types.js';

/** The kubelet's reasons outcomes watch (pkg/kubelet/events/event.go). */
export const FAILED_PRESTOP_HOOK = 'FailedPreStopHook';
export const EXCEEDED_GRACE_PERIOD = 'ExceededGracePeriod';
export const UNHEALTHY = 'Unhealthy';
export const WATCHED_REASONS: readonly string[] = [FAILED_PRESTOP_HOOK, EXCEEDED_GRACE_PERIOD, UNHEALTHY];

const PROBES = new Set(['Readiness', 'Liveness', 'Startup']);
const FIELD_PATH = /^spec\.(?:containers|initContainers)\{([^}]+)\}$/;

export function eventFacts(event: unknown): PodEventFacts | undefined {
  if (!isRecord(event)) return undefined;
  const involved = isRecord(event.involvedObject) ? event.involvedObject : {};
  const reason = typeof event.reason === 'string' ? event.reason : '';
  if (involved.kind !== 'Pod' || !WATCHED_REASONS.includes(reason)) return undefined;
  const pod = typeof involved.name === 'string' ? involved.name : '';
  const meta = isRecord(event.metadata) ? event.metadata : {};
  const namespace =
    typeof involved.namespace === 'string' && involved.namespace !== ''
      ? involved.namespace
      : typeof meta.namespace === 'string'
        ? meta.namespace
        : '';
  if (!pod || !namespace) return undefined;
  const facts: PodEventFacts = { namespace, pod, reason, count: countOf(event) };
  if (typeof involved.uid === 'string' && involved.uid !== '') facts.uid = involved.uid;
  const container = typeof involved.fieldPath === 'string' ? FIELD_PATH.exec(involved.fieldPath)?.[1] : undefined;
  if (container) facts.container = container;
  if (reason === UNHEALTHY && typeof event.message === 'string') {
    const first = event.message.slice(0, 12).split(' ', 1)[0] ?? '';
    if (PROBES.has(first)) facts.probe = first;
  }
  return facts;
}

/** The number of occurrences: series.count (events.k8s.io semantics), else count, at least 1. */
function countOf(event: Record<string, unknown>): number {
  const series = isRecord(event.series) ? event.series.count : undefined;
  const n = typeof series === 'number' ? series : typeof event.count === 'number' ? event.count : 1;
  return Math.max(1, Math.floor(n));
}
