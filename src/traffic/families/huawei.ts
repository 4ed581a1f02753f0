// Huawei Cloud CCE: ELB for Services of type LoadBalancer (`kubernetes.io/elb.*` annotations) and
// for Ingresses of class `cce`. CCE's annotation reference documents the ELB settings (class, health
// check, a graceful exit for the load balancer backend), but no figure for how long the ELB keeps
// sending new requests to a removed backend: gracekeeper uses propagationDelay and says so.
import type { IngressFacts, ServiceFacts, TrafficPath } from '../types.js';

const ELB = 'kubernetes.io/elb.';

export function isHuaweiService(service: ServiceFacts): boolean {
  return Object.keys(service.annotations).some((k) => k.startsWith(ELB));
}

export function isHuaweiIngress(ingress: IngressFacts): boolean {
  return ingress.className === 'cce' || Object.keys(ingress.annotations).some((k) => k.startsWith(ELB));
}

export function huaweiElbPath(object: string): TrafficPath {
  return { family: 'huawei-elb', object, delay: 0, reason: 'CCE documents no ELB removal delay', unknown: true };
}
