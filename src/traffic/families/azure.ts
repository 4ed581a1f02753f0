// Microsoft Azure AKS: the Azure Load Balancer for Services of type LoadBalancer, and the
// Application Gateway Ingress Controller (AGIC). Sources, in docs/traffic-paths.md:
// - Azure Load Balancer targets the nodes; kube-proxy forwards. With externalTrafficPolicy Local it
//   learns of a pod's end from the node's health probe: `...-health-probe-interval` (default 5 s)
//   times `...-health-probe-num-of-probe` (default 2), cloud-provider-azure's Service annotations.
// - AGIC sends to pod IPs and rewrites the gateway's backend pools through ARM: "It takes somewhere
//   between a second and a few minutes for a pod ... to be removed from App Gateway's backend"
//   (AGIC's "Minimizing Downtime During Deployments"), whose recommendation is a preStop sleep of at
//   least 90 s with connection draining on. No source gives a shorter safe figure: 90 s.
import { annotationNumber } from '../annotations.js';
import type { IngressFacts, PathWarning, ServiceFacts, TrafficPath } from '../types.js';

export const AZURE_PROBE = { interval: 5, count: 2 };
export const AGIC_DELAY = 90;
const S = 'service.beta.kubernetes.io/azure-';
const AGIC_CONTROLLER = 'azure/application-gateway';

export function isAzureService(service: ServiceFacts): boolean {
  return Object.keys(service.annotations).some((k) => k.startsWith(S));
}

export function azureLbPath(service: ServiceFacts, warnings: PathWarning[]): TrafficPath {
  const object = `Service/${service.name}`;
  if (service.externalTrafficPolicy !== 'Local') {
    return { family: 'azure-lb', object, delay: 0, reason: 'externalTrafficPolicy Cluster: kube-proxy forwards' };
  }
  const a = service.annotations;
  const interval = annotationNumber(
    a,
    `${S}load-balancer-health-probe-interval`,
    AZURE_PROBE.interval,
    object,
    warnings,
    [5, 300],
  );
  const count = annotationNumber(a, `${S}load-balancer-health-probe-num-of-probe`, AZURE_PROBE.count, object, warnings, [1, 20]);
  return {
    family: 'azure-lb',
    object,
    delay: interval * count,
    afterPropagation: true,
    reason: `node health probe ${interval}s x ${count}`,
  };
}

export function isAgic(ingress: IngressFacts): boolean {
  return (
    ingress.controller === AGIC_CONTROLLER ||
    ingress.className === 'azure/application-gateway' ||
    ingress.className === 'azure-application-gateway'
  );
}

export function agicPath(ingress: IngressFacts): TrafficPath {
  return {
    family: 'azure-agic',
    object: `Ingress/${ingress.name}`,
    delay: AGIC_DELAY,
    reason: `AGIC: ${AGIC_DELAY}s, Microsoft's preStop guidance`,
  };
}
