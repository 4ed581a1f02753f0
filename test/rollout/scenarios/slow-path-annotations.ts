// The slow external path's numbers, in one place: how its `type: LoadBalancer` Service is
// annotated (and its externalTrafficPolicy), and the deregistration delay D that the emulated
// load balancer (lb.ts) reads from those annotations. Change them here and D follows.
//
// They describe an AWS Network Load Balancer (the in-tree `nlb` type) whose health check marks a
// target unhealthy after `unhealthy-threshold` failed checks `interval` seconds apart: it keeps
// sending a target new connections for up to interval x threshold seconds after the pod behind
// it is gone. With externalTrafficPolicy Local that is the delay gracekeeper's traffic-path table
// gives such a Service (docs/traffic-paths.md, `aws-nlb-instance`), from the same annotations.
// Here: 10 s x 2 = 20 s. (The emulated load balancer routes to pod IPs and applies D to each pod,
// the case that delay is sized for: a pod whose end the health check has to notice.)
export const TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
export const INTERVAL = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval';
export const UNHEALTHY_THRESHOLD = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold';

export const LB_ANNOTATIONS: Readonly<Record<string, string>> = { [TYPE]: 'nlb', [INTERVAL]: '10', [UNHEALTHY_THRESHOLD]: '2' };
export const LB_EXTERNAL_TRAFFIC_POLICY = 'Local';

/** D in seconds for a Service's annotations (interval x unhealthy threshold), or undefined without them. */
export function lbDelaySeconds(annotations: Readonly<Record<string, string>> | undefined): number | undefined {
  const interval = Number(annotations?.[INTERVAL]);
  const threshold = Number(annotations?.[UNHEALTHY_THRESHOLD]);
  if (!Number.isInteger(interval) || !Number.isInteger(threshold) || interval < 1 || threshold < 1) return undefined;
  return interval * threshold;
}

/** The annotations for a delay of `seconds` (threshold 2 when even, else 1): D = interval x threshold. */
export function lbAnnotationsFor(seconds: number): Readonly<Record<string, string>> {
  if (seconds === lbDelaySeconds(LB_ANNOTATIONS)) return LB_ANNOTATIONS;
  const threshold = seconds % 2 === 0 ? 2 : 1;
  return { [TYPE]: 'nlb', [INTERVAL]: String(seconds / threshold), [UNHEALTHY_THRESHOLD]: String(threshold) };
}
