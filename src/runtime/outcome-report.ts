// One finding said twice: counted (per namespace and outcome, never per pod) and logged once, on
// one line of names only (namespace, workload, pod, container, outcome, short evidence): never the
// pod's or the event's content. Problems are warnings; clean shutdowns and passing probes are
// counted, and logged at debug only (every rollout would otherwise log each pod).
import type { Logger } from 'pino';
import type { Finding } from '../engine/outcomes/types.js';
import type { Metrics } from '../metrics/metrics.js';

const QUIET: ReadonlySet<string> = new Set(['clean', 'readiness-passed']);

export function reportFinding(f: Finding, metrics: Metrics, log: Logger): void {
  metrics.countOutcome(f.namespace, f.outcome);
  const line = {
    outcome: f.outcome,
    namespace: f.namespace,
    workload: `${f.workload.kind}/${f.workload.name}`,
    pod: f.pod,
    ...(f.container ? { container: f.container } : {}),
    evidence: f.evidence,
  };
  if (QUIET.has(f.outcome)) log.debug(line, 'pod outcome');
  else log.warn(line, 'pod outcome');
}
