// `pre-stop-sleep: auto`: the largest of the cluster's propagationDelay (kube-proxy, CoreDNS,
// client-side balancers) and every traffic path's delay. Ties go to propagationDelay, then to the
// first path, so the same objects always name the same deciding path.
import type { TrafficPath } from './types.js';

export interface SleepDecision {
  seconds: number;
  /** The path that decided, or undefined when propagationDelay did. */
  path?: TrafficPath;
}

export function autoSleep(paths: readonly TrafficPath[], propagationDelay: number): SleepDecision {
  let decision: SleepDecision = { seconds: propagationDelay };
  for (const path of paths) if (path.delay > decision.seconds) decision = { seconds: path.delay, path };
  return decision;
}

/** "Ingress/web (aws-alb-ip)" or "propagationDelay": what the record and the warnings name. */
export function decidedBy(decision: SleepDecision): string {
  return decision.path ? `${decision.path.object} (${decision.path.family})` : 'propagationDelay';
}
