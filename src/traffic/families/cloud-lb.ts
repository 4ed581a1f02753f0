// A Service of type LoadBalancer or NodePort behind a load balancer gracekeeper does not know more
// about. Its targets are the nodes, and kube-proxy forwards: with externalTrafficPolicy Cluster a
// pod's end is as fast to take effect as inside the cluster. With Local, the load balancer learns
// it from the node's failing health check (healthCheckNodePort), after its interval times its
// threshold: 24 s on GCE (families/gke.ts), 30 s for AWS NLBs (families/aws.ts); for an unknown
// load balancer gracekeeper takes the longer, 30 s.
import type { ServiceFacts, TrafficPath } from '../types.js';

export const UNKNOWN_LB_HEALTH_CHECK = 30;

export function nodeTargetsPath(service: ServiceFacts, family: string, localDelay: number, localReason: string): TrafficPath {
  const object = `Service/${service.name}`;
  if (service.externalTrafficPolicy !== 'Local') {
    return { family, object, delay: 0, reason: 'externalTrafficPolicy Cluster: kube-proxy forwards' };
  }
  return { family, object, delay: localDelay, afterPropagation: true, reason: localReason };
}

export function cloudLbPath(service: ServiceFacts): TrafficPath {
  const family = service.type === 'NodePort' ? 'node-port' : 'cloud-lb';
  return nodeTargetsPath(service, family, UNKNOWN_LB_HEALTH_CHECK, 'node health check, 30s when unknown');
}
