// Google Cloud load balancers made by GKE. Sources, in docs/traffic-paths.md:
// - container-native load balancing (NEGs): the NEG controller takes a terminating pod out of the
//   NEG at once (ingress-gce#1574, its maintainer), and the load balancer follows later; GKE gives
//   no figure. Users report 502s for up to about a minute after a pod's end without a longer
//   preStop (ingress-gce#769, #1718, #2222), so gracekeeper waits 60 s.
// - passthrough load balancers for Services with externalTrafficPolicy Local: the node health
//   check runs every 8 s and fails after 3 ("3 * 8 = 24 seconds before the LB will steer traffic
//   away", ingress-gce's L4 health checks and the GCE cloud provider).
import type { IngressFacts, RouteFacts, ServiceFacts, TrafficPath } from '../types.js';

export const GKE_NEG_DELAY = 60;
export const GCE_NODE_HEALTH_CHECK = 8 * 3;

export function isGceIngress(ingress: IngressFacts): boolean {
  return ingress.className === 'gce' || ingress.className === 'gce-internal';
}

export function isGkeGateway(gateway: RouteFacts['gateways'][number]): boolean {
  return gateway.controller === 'networking.gke.io/gateway' || (gateway.className ?? '').startsWith('gke-l7-');
}

export function isGkeService(service: ServiceFacts): boolean {
  return Object.keys(service.annotations).some((k) => k.startsWith('cloud.google.com/') || k.startsWith('networking.gke.io/'));
}

/** A GKE Ingress: through NEGs unless the Service turned them off (`cloud.google.com/neg: '{"ingress": false}'`). */
export function gceIngressPath(ingress: IngressFacts, service: ServiceFacts): TrafficPath {
  const object = `Ingress/${ingress.name}`;
  const neg = (service.annotations['cloud.google.com/neg'] ?? '').replace(/\s/g, '');
  if (neg.includes('"ingress":false')) {
    const local = service.externalTrafficPolicy === 'Local';
    return {
      family: 'gke-instance-groups',
      object,
      delay: local ? GCE_NODE_HEALTH_CHECK : 0,
      ...(local ? { afterPropagation: true as const } : {}),
      reason: local ? 'node health check 8s x 3' : 'instance groups: kube-proxy forwards',
    };
  }
  return negPath(object);
}

export function negPath(object: string): TrafficPath {
  return { family: 'gke-neg', object, delay: GKE_NEG_DELAY, reason: `NEG endpoints: about ${GKE_NEG_DELAY}s to leave the LB` };
}
