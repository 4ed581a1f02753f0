// AWS load balancers made by the AWS Load Balancer Controller (and the in-tree NLB): an ALB for an
// Ingress, an NLB for a Service of type LoadBalancer. Sources, in docs/traffic-paths.md:
// - defaults of the annotations: the controller's annotation references (docs/guide/ingress and
//   docs/guide/service/annotations.md): ALB target-type instance, health check every 15 s, 2 to
//   fail; NLB health check every 10 s, 3 to fail.
// - deregistration: "By default, Elastic Load Balancing waits 300 seconds before completing the
//   deregistration process" (AWS, quoted in aws-load-balancer-controller#3270). Users and
//   maintainers report new requests reaching a deregistering target until deregistration completes
//   (#2366, #3270, ingress-nginx#11891, EclipseFdn/open-vsx.org#12422), and NLB IP targets taking
//   at least two minutes however short the delay (#2366): so ip targets wait for the whole of it.
import { annotationNumber, mapNumber } from '../annotations.js';
import type { IngressFacts, PathWarning, ServiceFacts, TrafficPath } from '../types.js';

export const AWS_DEREGISTRATION_DEFAULT = 300;
export const AWS_NLB_IP_MINIMUM = 120;
const ALB = { interval: 15, unhealthy: 2 };
const NLB = { interval: 10, unhealthy: 3 };
const S = 'service.beta.kubernetes.io/aws-load-balancer-';
const A = 'alb.ingress.kubernetes.io/';

export function isAlb(ingress: IngressFacts): boolean {
  return ingress.controller === 'ingress.k8s.aws/alb' || ingress.className === 'alb';
}

export function isNlb(service: ServiceFacts): boolean {
  if (service.type !== 'LoadBalancer') return false;
  if (service.loadBalancerClass === 'service.k8s.aws/nlb') return true;
  return ['external', 'nlb-ip', 'nlb'].includes(service.annotations[`${S}type`] ?? '');
}

/** An ALB in front of the Service (through an Ingress); the Service's annotations win over the Ingress's. */
export function albPath(ingress: IngressFacts, service: ServiceFacts, warnings: PathWarning[]): TrafficPath {
  const object = `Ingress/${ingress.name}`;
  const annotations = { ...ingress.annotations, ...service.annotations };
  if ((annotations[`${A}target-type`] ?? 'instance') === 'ip') {
    const delay = mapNumber(
      annotations,
      `${A}target-group-attributes`,
      'deregistration_delay.timeout_seconds',
      AWS_DEREGISTRATION_DEFAULT,
      object,
      warnings,
    );
    return {
      family: 'aws-alb-ip',
      object,
      delay,
      afterPropagation: true,
      reason: `ALB ip targets: deregistration delay ${delay}s`,
    };
  }
  return instancePath(
    'aws-alb-instance',
    object,
    service,
    annotations,
    `${A}healthcheck-interval-seconds`,
    `${A}unhealthy-threshold-count`,
    ALB,
    warnings,
  );
}

/** An NLB made for a Service of type LoadBalancer. */
export function nlbPath(service: ServiceFacts, warnings: PathWarning[]): TrafficPath {
  const object = `Service/${service.name}`;
  const a = service.annotations;
  const ip = a[`${S}type`] === 'nlb-ip' || a[`${S}nlb-target-type`] === 'ip';
  if (ip) {
    const delay = Math.max(
      AWS_NLB_IP_MINIMUM,
      mapNumber(
        a,
        `${S}target-group-attributes`,
        'deregistration_delay.timeout_seconds',
        AWS_DEREGISTRATION_DEFAULT,
        object,
        warnings,
      ),
    );
    return { family: 'aws-nlb-ip', object, delay, afterPropagation: true, reason: `NLB ip targets: deregistration ${delay}s` };
  }
  return instancePath(
    'aws-nlb-instance',
    object,
    service,
    a,
    `${S}healthcheck-interval`,
    `${S}healthcheck-unhealthy-threshold`,
    NLB,
    warnings,
  );
}

/**
 * Instance targets are the nodes: kube-proxy on each forwards to the pods, so a pod's end reaches
 * the load balancer only with externalTrafficPolicy Local, through the node's failing health check.
 */
function instancePath(
  family: string,
  object: string,
  service: ServiceFacts,
  annotations: Record<string, string>,
  intervalKey: string,
  unhealthyKey: string,
  defaults: { interval: number; unhealthy: number },
  warnings: PathWarning[],
): TrafficPath {
  if (service.externalTrafficPolicy !== 'Local') {
    return { family, object, delay: 0, reason: 'instance targets: kube-proxy forwards, as inside the cluster' };
  }
  const interval = annotationNumber(annotations, intervalKey, defaults.interval, object, warnings, [1, 300]);
  const unhealthy = annotationNumber(annotations, unhealthyKey, defaults.unhealthy, object, warnings, [1, 10]);
  return {
    family,
    object,
    delay: interval * unhealthy,
    afterPropagation: true,
    reason: `node health check ${interval}s x ${unhealthy}`,
  };
}
