// `pre-stop-sleep: auto`: the largest of the cluster's propagationDelay (kube-proxy, CoreDNS,
// client-side balancers) and every traffic path's delay; a path told of the pod's end by the
// cluster (afterPropagation: a controller's deregistration, a health check served by kube-proxy)
// needs propagationDelay more. Ties go to propagationDelay, then to the first path, so the same
// objects always name the same deciding path.
import type { TrafficPath } from './types.js';

export interface AutoSleep {
  seconds: number;
  /** The path that decided, or undefined when propagationDelay did. */
  path?: TrafficPath;
}

export function autoSleep(paths: readonly TrafficPath[], propagationDelay: number): AutoSleep {
  let decision: AutoSleep = { seconds: propagationDelay };
  for (const path of paths) {
    const seconds = pathSeconds(path, propagationDelay);
    if (seconds > decision.seconds) decision = { seconds, path };
  }
  return decision;
}

/** What one path calls for: its delay, plus propagationDelay when its clock starts only once the cluster has learnt. */
export function pathSeconds(path: TrafficPath, propagationDelay: number): number {
  return path.afterPropagation && path.delay > 0 ? path.delay + propagationDelay : path.delay;
}

/** "Ingress/web (aws-alb-ip)" or "propagationDelay": what the record and the warnings name. */
export function decidedBy(decision: AutoSleep): string {
  return decision.path ? `${decision.path.object} (${decision.path.family})` : 'propagationDelay';
}
