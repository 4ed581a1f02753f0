// Alibaba Cloud ACK: the ALB Ingress controller, and CLB/NLB for Services of type LoadBalancer
// (the cloud-controller-manager). Sources, in docs/traffic-paths.md:
// - ALB Ingress: its IngressClass names controller `ingress.k8s.alibabacloud/alb`; it shares the
//   class name `alb` and the `alb.ingress.kubernetes.io/` prefix with AWS, so only the controller
//   tells them apart. ACK's guide "Use preStop hooks to enable seamless pod termination during
//   rolling updates of backend pods of ALB Ingresses" sizes the sleep for the controller to remove
//   the pod from the backend server group: 10 s, with the readiness gate
//   `target-health.alb.k8s.alibabacloud` (ACK's "Use readiness gates ..." guide) for start-up.
// - CLB/NLB with pods as backends (`...-backend-type: eni`): the cloud-controller-manager removes
//   the pod's address from the backend server group; connection drain (`...-connection-drain: on`,
//   `...-connection-drain-timeout`) keeps connections in flight, new ones stop. ACK documents no
//   figure for how long the removal takes: propagationDelay, with a warning saying so. Its readiness
//   gate is `service.readiness.alibabacloud.com/<Service>` (ACK's "readiness gate" guide).
// - CLB/NLB with nodes as backends: kube-proxy forwards; with externalTrafficPolicy Local the
//   node's health check decides, as for any load balancer that targets nodes (families/cloud-lb.ts).
import { nodeTargetsPath, UNKNOWN_LB_HEALTH_CHECK } from './cloud-lb.js';
import type { IngressFacts, ReadinessGate, ServiceFacts, TrafficPath } from '../types.js';

export const ALIBABA_ALB_CONTROLLER = 'ingress.k8s.alibabacloud/alb';
export const ALIBABA_ALB_DELAY = 10;
const S = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const NLB_CLASS = 'alibabacloud.com/nlb';

const ALB_GATE: ReadinessGate = {
  conditionPrefix: 'target-health.alb.k8s.alibabacloud',
  how: 'add readinessGates conditionType target-health.alb.k8s.alibabacloud',
};

export function isAlibabaAlb(ingress: IngressFacts): boolean {
  return ingress.controller === ALIBABA_ALB_CONTROLLER;
}

export function alibabaAlbPath(ingress: IngressFacts): TrafficPath {
  return {
    family: 'alibaba-alb',
    object: `Ingress/${ingress.name}`,
    delay: ALIBABA_ALB_DELAY,
    reason: `ACK ALB Ingress: ${ALIBABA_ALB_DELAY}s, ACK's own preStop guidance`,
    gate: ALB_GATE,
  };
}

export function isAlibabaService(service: ServiceFacts): boolean {
  return service.loadBalancerClass === NLB_CLASS || Object.keys(service.annotations).some((k) => k.startsWith(S));
}

/** A CLB or NLB made by ACK's cloud-controller-manager (also ACK's default for LoadBalancer Services). */
export function alibabaServicePath(service: ServiceFacts): TrafficPath {
  const family = service.loadBalancerClass === NLB_CLASS ? 'alibaba-nlb' : 'alibaba-clb';
  if (service.annotations[`${S}backend-type`] === 'eni') {
    return {
      family,
      object: `Service/${service.name}`,
      delay: 0,
      reason: 'pods as backends: ACK documents no removal delay',
      unknown: true,
      gate: {
        conditionPrefix: `service.readiness.alibabacloud.com/${service.name}`,
        how: `add readinessGates conditionType service.readiness.alibabacloud.com/${service.name}`,
      },
    };
  }
  return nodeTargetsPath(service, family, UNKNOWN_LB_HEALTH_CHECK, 'node health check, 30s when unknown');
}
