// Huawei Cloud CCE: ELB for Services of type LoadBalancer (`kubernetes.io/elb.*` annotations) and
// for Ingresses of class `cce`. CCE's annotation reference documents the ELB settings (class, health
// check, a graceful exit for the load balancer backend), but no figure for how long the ELB keeps
// sending new requests to a removed backend: gracekeeper uses propagationDelay and says so. A
// Service with externalTrafficPolicy Local is reached through its nodes' health check, as any load
// balancer that targets nodes (families/cloud-lb.ts): never shorter than before CCE had a row.
import { nodeTargetsPath, UNKNOWN_LB_HEALTH_CHECK } from './cloud-lb.js';
import type { IngressFacts, ServiceFacts, TrafficPath } from '../types.js';

const ELB = 'kubernetes.io/elb.';

export function isHuaweiService(service: ServiceFacts): boolean {
  return Object.keys(service.annotations).some((k) => k.startsWith(ELB));
}

export function isHuaweiIngress(ingress: IngressFacts): boolean {
  return ingress.className === 'cce' || Object.keys(ingress.annotations).some((k) => k.startsWith(ELB));
}

export function huaweiElbPath(object: string, service?: ServiceFacts): TrafficPath {
  if (service?.externalTrafficPolicy === 'Local') {
    return { ...nodeTargetsPath(service, 'huawei-elb', UNKNOWN_LB_HEALTH_CHECK, 'node health check, 30s when unknown'), object };
  }
  return { family: 'huawei-elb', object, delay: 0, reason: 'CCE documents no ELB removal delay', unknown: true };
}
