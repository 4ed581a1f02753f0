// The table of load balancers: for each Service that selects the pod and each thing that sends it
// traffic, the family it belongs to and how long that takes to stop sending new requests after the
// pod starts terminating (families/*.ts, each with its sources). `trafficPaths` rules come first;
// then the controller named by the object's class; then, for an object that names no class, the
// default controller of the cloud the cluster runs on. What is left is unknown: sized by
// propagationDelay, with a warning naming it, never a denial.
import { alibabaAlbPath, alibabaServicePath, isAlibabaAlb, isAlibabaService } from './families/alibaba.js';
import { albPath, clbPath, isAlb, isAwsService, isNlb, nlbPath } from './families/aws.js';
import { agicPath, azureLbPath, isAgic, isAzureService } from './families/azure.js';
import { cloudLbPath, nodeTargetsPath } from './families/cloud-lb.js';
import { headlessPath } from './families/dns.js';
import { GCE_NODE_HEALTH_CHECK, gceIngressPath, isGceIngress, isGkeGateway, isGkeService, negPath } from './families/gke.js';
import { huaweiElbPath, isHuaweiIngress, isHuaweiService } from './families/huawei.js';
import { envoyPath, ingressNginxPath, isEnvoyGateway, isIngressNginx } from './families/in-cluster-proxies.js';
import { isTencentIngress, isTencentService, tencentIngressPath, tencentServicePath } from './families/tencent.js';
import { firstRule, type TrafficRule } from '../settings/traffic-rules.js';
import type { Cloud, IngressFacts, PathWarning, RouteFacts, ServiceFacts, TrafficFacts, TrafficPath } from './types.js';

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

function gkePassthrough(service: ServiceFacts): TrafficPath {
  return nodeTargetsPath(service, 'gke-passthrough', GCE_NODE_HEALTH_CHECK, 'node health check 8s x 3');
}

/** A LoadBalancer Service: its annotations or class name the controller, else the cloud's default does. */
function loadBalancerPath(service: ServiceFacts, cloud: Cloud | undefined, warnings: PathWarning[]): TrafficPath {
  if (isNlb(service)) return nlbPath(service, warnings);
  if (isGkeService(service)) return gkePassthrough(service);
  if (isAlibabaService(service)) return alibabaServicePath(service);
  if (isTencentService(service)) return tencentServicePath(service);
  if (isAzureService(service)) return azureLbPath(service, warnings);
  if (isHuaweiService(service)) return huaweiElbPath(`Service/${service.name}`, service);
  if (isAwsService(service)) return clbPath(service, warnings);
  if (service.loadBalancerClass === undefined) {
    switch (cloud) {
      case 'aws':
        return clbPath(service, warnings);
      case 'gcp':
        return gkePassthrough(service);
      case 'azure':
        return azureLbPath(service, warnings);
      case 'alibaba':
        return alibabaServicePath(service);
      case 'tencent':
        return tencentServicePath(service);
      case 'huawei':
        return huaweiElbPath(`Service/${service.name}`, service);
    }
  }
  return cloudLbPath(service);
}

function servicePath(
  service: ServiceFacts,
  cloud: Cloud | undefined,
  rules: readonly TrafficRule[],
  warnings: PathWarning[],
): TrafficPath | undefined {
  const headless = service.headless === true && service.type === 'ClusterIP';
  if (service.type !== 'LoadBalancer' && service.type !== 'NodePort' && !headless) return undefined;
  const object = `Service/${service.name}`;
  const rule = firstRule(rules, { kind: 'Service', serviceType: service.type, annotations: service.annotations });
  if (rule >= 0) return ruled(rules, rule, object);
  if (headless) return headlessPath(service);
  if (service.type === 'LoadBalancer') return loadBalancerPath(service, cloud, warnings);
  return cloudLbPath(service);
}

/** An Ingress that names no class gracekeeper knows: the cloud's default Ingress controller, if it has one. */
function defaultIngressPath(ingress: IngressFacts, service: ServiceFacts, cloud: Cloud | undefined): TrafficPath | undefined {
  if (ingress.className !== undefined) return undefined;
  if (cloud === 'gcp') return gceIngressPath(ingress, service);
  if (cloud === 'tencent') return tencentIngressPath(ingress, service);
  return undefined;
}

function ingressPath(
  ingress: IngressFacts,
  service: ServiceFacts,
  cloud: Cloud | undefined,
  rules: readonly TrafficRule[],
  warnings: PathWarning[],
): TrafficPath {
  const object = `Ingress/${ingress.name}`;
  const rule = firstRule(rules, { kind: 'Ingress', className: ingress.className, annotations: ingress.annotations });
  if (rule >= 0) return ruled(rules, rule, object);
  // On Alibaba Cloud an `alb` class whose IngressClass is not known is Alibaba's, not AWS's.
  if (isAlibabaAlb(ingress) || (cloud === 'alibaba' && ingress.className === 'alb' && ingress.controller === undefined)) {
    return alibabaAlbPath(ingress);
  }
  if (isAlb(ingress)) return albPath(ingress, service, warnings);
  if (isGceIngress(ingress)) return gceIngressPath(ingress, service);
  if (isIngressNginx(ingress)) return ingressNginxPath(ingress);
  if (isAgic(ingress)) return agicPath(ingress);
  if (isTencentIngress(ingress)) return tencentIngressPath(ingress, service);
  if (isHuaweiIngress(ingress)) return huaweiElbPath(object);
  const byCloud = defaultIngressPath(ingress, service, cloud);
  if (byCloud) return byCloud;
  const what =
    ingress.className === undefined
      ? 'no class, no default IngressClass'
      : `class ${ingress.className}${ingress.controller ? ` (${ingress.controller})` : ''}`;
  return { family: 'ingress', object, delay: 0, reason: `${what}: controller unknown`, unknown: true };
}

function routePath(route: RouteFacts, rules: readonly TrafficRule[]): TrafficPath {
  const object = `${route.kind}/${route.name}`;
  const classNames = route.gateways.map((g) => g.className).filter((c): c is string => c !== undefined);
  const rule = firstRule(rules, { kind: 'Route', classNames, annotations: route.annotations });
  if (rule >= 0) return ruled(rules, rule, object);
  if (route.gateways.some(isGkeGateway)) return negPath(object);
  if (route.gateways.some(isEnvoyGateway)) return envoyPath(object);
  const controllers = route.gateways.map((g) => g.controller ?? g.className).filter((c): c is string => c !== undefined);
  const what = controllers.length > 0 ? `Gateway class ${[...new Set(controllers)].join(',')}` : 'Gateway class not found';
  return { family: 'gateway', object, delay: 0, reason: `${what}: controller unknown`, unknown: true };
}

/**
 * Every path to the pod. `cloud` is the cluster setting, else what the edge learnt (facts.cloud):
 * whose controllers serve the objects that name none.
 */
export function trafficPaths(facts: TrafficFacts, rules: readonly TrafficRule[], cloud?: Cloud): PathsResult {
  const paths: TrafficPath[] = [];
  const warnings: PathWarning[] = [];
  const where = cloud ?? facts.cloud;
  for (const { service, ingresses, routes } of facts.services) {
    // A NodePort Service fronted by an Ingress or a route is there for that load balancer, whose
    // row accounts for it; a LoadBalancer Service has a load balancer of its own.
    const fronted = ingresses.length > 0 || routes.length > 0;
    const own = service.type === 'NodePort' && fronted ? undefined : servicePath(service, where, rules, warnings);
    if (own) paths.push(own);
    for (const ingress of ingresses) paths.push(ingressPath(ingress, service, where, rules, warnings));
    for (const route of routes) paths.push(routePath(route, rules));
  }
  return { paths, warnings };
}
