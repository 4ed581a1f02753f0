// The table of load balancers: for each Service that selects the pod and each thing that sends it
// traffic, the family it belongs to and how long that takes to stop sending new requests after the
// pod starts terminating (families/*.ts, each with its sources). `trafficPaths` rules come first.
import { albPath, isAlb, isNlb, nlbPath } from './families/aws.js';
import { cloudLbPath, nodeTargetsPath } from './families/cloud-lb.js';
import { GCE_NODE_HEALTH_CHECK, gceIngressPath, isGceIngress, isGkeGateway, isGkeService, negPath } from './families/gke.js';
import { envoyPath, ingressNginxPath, isEnvoyGateway, isIngressNginx } from './families/in-cluster-proxies.js';
import { firstRule, type TrafficRule } from './rules.js';
import type { IngressFacts, PathWarning, RouteFacts, ServiceFacts, TrafficFacts, TrafficPath } from './types.js';

export interface PathsResult {
  paths: TrafficPath[];
  warnings: PathWarning[];
}

function ruled(rules: readonly TrafficRule[], index: number, object: string): TrafficPath {
  return {
    family: `trafficPaths[${index}]`,
    object,
    delay: (rules[index] as TrafficRule).delay,
    reason: `cluster setting trafficPaths[${index}]`,
  };
}

function servicePath(service: ServiceFacts, rules: readonly TrafficRule[], warnings: PathWarning[]): TrafficPath | undefined {
  if (service.type !== 'LoadBalancer' && service.type !== 'NodePort') return undefined;
  const object = `Service/${service.name}`;
  const rule = firstRule(rules, { kind: 'Service', serviceType: service.type, annotations: service.annotations });
  if (rule >= 0) return ruled(rules, rule, object);
  if (isNlb(service)) return nlbPath(service, warnings);
  if (service.type === 'LoadBalancer' && isGkeService(service)) {
    return nodeTargetsPath(service, 'gke-passthrough', GCE_NODE_HEALTH_CHECK, 'node health check 8s x 3');
  }
  return cloudLbPath(service);
}

function ingressPath(
  ingress: IngressFacts,
  service: ServiceFacts,
  rules: readonly TrafficRule[],
  warnings: PathWarning[],
): TrafficPath {
  const object = `Ingress/${ingress.name}`;
  const rule = firstRule(rules, { kind: 'Ingress', className: ingress.className, annotations: ingress.annotations });
  if (rule >= 0) return ruled(rules, rule, object);
  if (isAlb(ingress)) return albPath(ingress, service, warnings);
  if (isGceIngress(ingress)) return gceIngressPath(ingress, service);
  if (isIngressNginx(ingress)) return ingressNginxPath(ingress);
  return { family: 'ingress', object, delay: 0, reason: `class ${ingress.className ?? 'unset'}: not in the table` };
}

function routePath(route: RouteFacts, rules: readonly TrafficRule[]): TrafficPath {
  const object = `${route.kind}/${route.name}`;
  const classNames = route.gateways.map((g) => g.className).filter((c): c is string => c !== undefined);
  const rule = firstRule(rules, { kind: 'Route', classNames, annotations: route.annotations });
  if (rule >= 0) return ruled(rules, rule, object);
  if (route.gateways.some(isGkeGateway)) return negPath(object);
  if (route.gateways.some(isEnvoyGateway)) return envoyPath(object);
  return { family: 'gateway', object, delay: 0, reason: `Gateway class ${classNames.join(',') || 'unknown'}: not in the table` };
}

export function trafficPaths(facts: TrafficFacts, rules: readonly TrafficRule[]): PathsResult {
  const paths: TrafficPath[] = [];
  const warnings: PathWarning[] = [];
  for (const { service, ingresses, routes } of facts.services) {
    // A NodePort Service fronted by an Ingress or a route is there for that load balancer, whose
    // row accounts for it; a LoadBalancer Service has a load balancer of its own.
    const fronted = ingresses.length > 0 || routes.length > 0;
    const own = service.type === 'NodePort' && fronted ? undefined : servicePath(service, rules, warnings);
    if (own) paths.push(own);
    for (const ingress of ingresses) paths.push(ingressPath(ingress, service, rules, warnings));
    for (const route of routes) paths.push(routePath(route, rules));
  }
  return { paths, warnings };
}
