// AWS load balancers made by the AWS Load Balancer Controller (and the in-tree NLB): an ALB for an
// Ingress, an NLB for a Service of type LoadBalancer. Sources, in docs/traffic-paths.md:
// - defaults of the annotations: the controller's annotation references (docs/guide/ingress and
//   docs/guide/service/annotations.md): ALB target-type instance, health check every 15 s, 2 to
//   fail; NLB health check every 10 s, 3 to fail.
// - deregistration: "The load balancer stops sending requests to targets that are deregistering,
//   but uses connection draining to ensure that in-flight traffic completes" (AWS, DeregisterTargets
//   API reference): the deregistration delay (default 300 s) is for requests in flight, which the
//   grace period's drain covers, not for new ones.
// - ALB ip targets: what is left is the controller noticing the pod's end and the ALB applying the
//   deregistration. Users measured it: a 25 s sleep gave full availability (#1064); a 25 s sleep
//   lost requests and 35 s none (EclipseFdn/open-vsx.org#12422). So 30 s after propagationDelay.
// - NLB ip targets are different: "deregistration takes at least 2 minutes regardless of the
//   deregistration delay setting; during deregistration, the pod may still receive new
//   requests/connections" (#2366; the maintainers place it on the NLB side, #3270; "the effective
//   minimum delay seems to be 120 seconds", containers-roadmap#470): the whole delay, at least 120 s.
// - readiness gates: the controller's pod readiness gate (namespace label
//   elbv2.k8s.aws/pod-readiness-gate-inject: enabled; ip targets only) holds a rollout until new
//   targets are healthy in the target group (the controller's "Pod readiness gate" guide).
import { annotationNumber, mapNumber } from '../annotations.js';
import type { IngressFacts, PathWarning, ReadinessGate, ServiceFacts, TrafficPath } from '../types.js';

export const AWS_DEREGISTRATION_DEFAULT = 300;
export const AWS_NLB_IP_MINIMUM = 120;
/** New requests behind an ALB with ip targets, once the cluster has learnt (see above). */
export const AWS_ALB_IP_DELAY = 30;
export const AWS_READINESS_GATE: ReadinessGate = {
  namespaceLabel: { key: 'elbv2.k8s.aws/pod-readiness-gate-inject', value: 'enabled' },
  conditionPrefix: 'target-health.elbv2.k8s.aws/',
  how: 'label Namespace elbv2.k8s.aws/pod-readiness-gate-inject=enabled',
};
const ALB = { interval: 15, unhealthy: 2 };
const NLB = { interval: 10, unhealthy: 3 };
/** The in-tree Classic ELB's health check (cloud-provider-aws: defaultHCInterval, defaultHCUnhealthyThreshold). */
const CLB = { interval: 10, unhealthy: 6 };
const S = 'service.beta.kubernetes.io/aws-load-balancer-';
const A = 'alb.ingress.kubernetes.io/';

/**
 * Alibaba Cloud's ALB Ingress controller also uses the class name `alb` and the
 * `alb.ingress.kubernetes.io/` prefix: a class named `alb` is AWS's only when its IngressClass
 * names AWS's controller, or names none gracekeeper knows (families/alibaba.ts decides first).
 */
export function isAlb(ingress: IngressFacts): boolean {
  return ingress.controller === 'ingress.k8s.aws/alb' || (ingress.className === 'alb' && ingress.controller === undefined);
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
    // The deregistration delay (target-group-attributes) is for requests in flight: not read here.
    return {
      family: 'aws-alb-ip',
      object,
      delay: AWS_ALB_IP_DELAY,
      afterPropagation: true,
      reason: `ALB ip targets: ${AWS_ALB_IP_DELAY}s to apply the deregistration`,
      gate: AWS_READINESS_GATE,
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

export function isAwsService(service: ServiceFacts): boolean {
  return Object.keys(service.annotations).some((k) => k.startsWith(S));
}

/** A Classic ELB: what AWS's cloud provider makes for a LoadBalancer Service asking for nothing else. */
export function clbPath(service: ServiceFacts, warnings: PathWarning[]): TrafficPath {
  const a = service.annotations;
  return instancePath(
    'aws-clb',
    `Service/${service.name}`,
    service,
    a,
    `${S}healthcheck-interval`,
    `${S}healthcheck-unhealthy-threshold`,
    CLB,
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
    return {
      family: 'aws-nlb-ip',
      object,
      delay,
      afterPropagation: true,
      reason: `NLB ip targets: deregistration ${delay}s`,
      ...(delay > AWS_NLB_IP_MINIMUM
        ? { shorten: `lower target group deregistration_delay.timeout_seconds (NLB minimum ${AWS_NLB_IP_MINIMUM}s)` }
        : {}),
      gate: AWS_READINESS_GATE,
    };
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
