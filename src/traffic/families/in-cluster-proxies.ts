// Proxies that run in the cluster and watch EndpointSlices themselves, as kube-proxy does: they
// forget a terminating pod about as fast. Sources, in docs/traffic-paths.md:
// - ingress-nginx updates its upstreams without a reload, at most once per 1 / --sync-rate-limit
//   seconds (default 0.3: 3.3 s), after its informer sees the change: 5 s. With
//   `nginx.ingress.kubernetes.io/service-upstream: "true"` it sends to the Service's cluster IP,
//   which kube-proxy routes.
// - Envoy-based gateways (Envoy Gateway, Istio's gateway, Contour) push endpoints to Envoy
//   through EDS, Envoy's endpoint discovery service, from the same EndpointSlices: 5 s.
import type { IngressFacts, RouteFacts, TrafficPath } from '../types.js';

export const INGRESS_NGINX_DELAY = 5;
export const ENVOY_GATEWAY_DELAY = 5;

const ENVOY_CONTROLLERS = [
  'gateway.envoyproxy.io/gatewayclass-controller',
  'istio.io/gateway-controller',
  'projectcontour.io/gateway-controller',
];

export function isIngressNginx(ingress: IngressFacts): boolean {
  return ingress.controller === 'k8s.io/ingress-nginx' || ingress.className === 'nginx';
}

export function ingressNginxPath(ingress: IngressFacts): TrafficPath {
  const object = `Ingress/${ingress.name}`;
  if (ingress.annotations['nginx.ingress.kubernetes.io/service-upstream'] === 'true') {
    return { family: 'ingress-nginx', object, delay: 0, reason: 'service-upstream: through kube-proxy' };
  }
  return { family: 'ingress-nginx', object, delay: INGRESS_NGINX_DELAY, reason: 'endpoint sync at most every 3.3s' };
}

export function isEnvoyGateway(gateway: RouteFacts['gateways'][number]): boolean {
  return ENVOY_CONTROLLERS.includes(gateway.controller ?? '') || gateway.className === 'eg' || gateway.className === 'istio';
}

export function envoyPath(object: string): TrafficPath {
  return { family: 'envoy-gateway', object, delay: ENVOY_GATEWAY_DELAY, reason: 'Envoy EDS from EndpointSlices' };
}
