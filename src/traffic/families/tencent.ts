// Tencent Cloud TKE: CLB for Services of type LoadBalancer and for Ingresses of class `qcloud`
// (TKE's own Ingress). Sources, in docs/traffic-paths.md:
// - direct access (`service.cloud.tencent.com/direct-access: "true"`, on an Ingress
//   `ingress.cloud.tencent.com/direct-access`): the CLB sends to the pods themselves, which needs
//   VPC-CNI and TKE's readiness gate. At a pod's deletion the controller sets its weight to 0, then
//   removes it, in parallel with the kubelet stopping the pod (TKE's "Pod graceful deletion" guide).
//   With `service.cloud.tencent.com/enable-grace-deletion: "true"` TKE makes the two serial: the pod
//   is deleted only once its weight is 0, so no sleep is needed beyond propagationDelay. Without it
//   TKE gives no figure: propagationDelay, with a warning naming the annotation.
// - without direct access the CLB targets the nodes and kube-proxy forwards (families/cloud-lb.ts).
import { nodeTargetsPath, UNKNOWN_LB_HEALTH_CHECK } from './cloud-lb.js';
import type { IngressFacts, ServiceFacts, TrafficPath } from '../types.js';

const SVC = 'service.cloud.tencent.com/';
const ING = 'ingress.cloud.tencent.com/';

export function isTencentService(service: ServiceFacts): boolean {
  return Object.keys(service.annotations).some((k) => k.startsWith(SVC));
}

export function isTencentIngress(ingress: IngressFacts): boolean {
  return ingress.className === 'qcloud' || Object.keys(ingress.annotations).some((k) => k.startsWith(ING));
}

function direct(object: string, family: string, annotations: Record<string, string>, prefix: string): TrafficPath {
  if (annotations[`${prefix}enable-grace-deletion`] === 'true') {
    return { family, object, delay: 0, reason: 'direct access, grace deletion: weight 0 before the pod goes' };
  }
  return {
    family,
    object,
    delay: 0,
    reason: `direct access without ${prefix}enable-grace-deletion`,
    unknown: true,
  };
}

export function tencentServicePath(service: ServiceFacts): TrafficPath {
  const object = `Service/${service.name}`;
  if (service.annotations[`${SVC}direct-access`] === 'true')
    return direct(object, 'tencent-clb-direct', service.annotations, SVC);
  return nodeTargetsPath(service, 'tencent-clb', UNKNOWN_LB_HEALTH_CHECK, 'node health check, 30s when unknown');
}

/** A TKE Ingress: direct to pods when the Ingress (or its Service) says so, else through the nodes. */
export function tencentIngressPath(ingress: IngressFacts, service: ServiceFacts): TrafficPath {
  const object = `Ingress/${ingress.name}`;
  if (ingress.annotations[`${ING}direct-access`] === 'true')
    return direct(object, 'tencent-clb-direct', ingress.annotations, ING);
  if (service.annotations[`${SVC}direct-access`] === 'true')
    return direct(object, 'tencent-clb-direct', service.annotations, SVC);
  const path = nodeTargetsPath(service, 'tencent-clb', UNKNOWN_LB_HEALTH_CHECK, 'node health check, 30s when unknown');
  return { ...path, object };
}
