// The slow external path's numbers, in one place: the annotations of its `type: LoadBalancer`
// Service, and the deregistration delay D that the emulated load balancer (lb.ts) reads from
// them. Change the annotations here (one line each) and D follows.
//
// The annotations are those of an AWS Network Load Balancer's health check: a target that stops
// answering is marked unhealthy after `unhealthy-threshold` failed checks `interval` seconds
// apart, so a cloud load balancer keeps sending it new connections for up to interval x threshold
// seconds after the pod is gone. Here: 10 s x 2 = 20 s.
export const INTERVAL = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval';
export const UNHEALTHY_THRESHOLD = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold';

export const LB_ANNOTATIONS: Readonly<Record<string, string>> = { [INTERVAL]: '10', [UNHEALTHY_THRESHOLD]: '2' };

/** D in seconds for a Service's annotations (interval x unhealthy threshold), or undefined without them. */
export function lbDelaySeconds(annotations: Readonly<Record<string, string>> | undefined): number | undefined {
  const interval = Number(annotations?.[INTERVAL]);
  const threshold = Number(annotations?.[UNHEALTHY_THRESHOLD]);
  if (!Number.isInteger(interval) || !Number.isInteger(threshold) || interval < 1 || threshold < 1) return undefined;
  return interval * threshold;
}
