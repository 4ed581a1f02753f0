// The plain data the traffic-path rules read: the Services that select a pod, and what sends them
// traffic (Ingresses, Gateway API routes with their Gateways' classes). The edge builds it from
// its informers' index, `gracekeeper mutate` from the documents it reads: same data, same answer.
import type { TlsBy } from './tls-names.js';
import type { Cloud } from '../kube/clouds.js';

export interface ServiceFacts {
  name: string;
  /** ClusterIP, NodePort, LoadBalancer, ExternalName. */
  type: string;
  /** Cluster or Local. */
  externalTrafficPolicy: string;
  loadBalancerClass?: string;
  /** spec.clusterIP is None: clients resolve the pods' addresses through DNS. */
  headless?: true;
  /** spec.publishNotReadyAddresses: terminating pods stay in its DNS answers. */
  publishNotReadyAddresses?: true;
  annotations: Record<string, string>;
  /** The pod ports it sends traffic to (readiness probes go there); absent when unknown. */
  ports?: ServicePortFacts[];
}

/** One Service port as the pod sees it: its targetPort (`port` when absent), by number or name. */
export interface ServicePortFacts {
  targetPort: number | string;
  /** TCP, UDP or SCTP. */
  protocol: string;
  /** The Service says the port speaks TLS, by its name or appProtocol or only by being 443 (traffic/tls-names.ts). */
  tls?: TlsBy;
}

/** A StatefulSet's governing Service (spec.serviceName; a Pod's spec.subdomain), which gives its pods their DNS names. */
export interface GoverningFacts {
  name: string;
  /** Absent when no such Service is known (not in the input, not seen by the webhook). */
  service?: { headless: boolean; publishNotReadyAddresses: boolean };
}

export interface IngressFacts {
  name: string;
  /** spec.ingressClassName, else the kubernetes.io/ingress.class annotation, else the default class. */
  className?: string;
  /** The controller of that class (IngressClass spec.controller), when known. */
  controller?: string;
  annotations: Record<string, string>;
}

export interface RouteFacts {
  kind: 'HTTPRoute' | 'GRPCRoute';
  name: string;
  namespace: string;
  /** The classes of the Gateways the route attaches to, with their controllers when known. */
  gateways: Array<{ name: string; className?: string; controller?: string }>;
  annotations: Record<string, string>;
}

/** One Service selecting the pod, and what fronts it. */
export interface ServicePath {
  service: ServiceFacts;
  ingresses: IngressFacts[];
  routes: RouteFacts[];
}

export interface TrafficFacts {
  services: ServicePath[];
  /** For a StatefulSet and its Pods: the governing Service. */
  governing?: GoverningFacts;
  /**
   * The cloud the cluster runs on, learnt at the edge (Nodes' spec.providerID): whose controller
   * serves an Ingress with no class or a LoadBalancer Service with no class. The cluster setting
   * `cloud` (and `mutate --cloud`) wins over it.
   */
  cloud?: Cloud;
}

export { CLOUDS, type Cloud } from '../kube/clouds.js';

/** How a load balancer can hold a rollout until new targets are healthy (the start-up half). */
export interface ReadinessGate {
  /** Enabled when the pod's Namespace carries this label (key=value). */
  namespaceLabel?: { key: string; value: string };
  /** Enabled when the pod template declares a readiness gate whose conditionType starts with this. */
  conditionPrefix?: string;
  /** What to do, in a few words, for the warning. */
  how: string;
}

/** One thing that sends traffic to the pod, and how long it takes to stop. */
export interface TrafficPath {
  /** The load-balancer family (a row of the table), e.g. "aws-alb-ip", or "trafficPaths[0]". */
  family: string;
  /** The object it was read from, e.g. "Ingress/web", "Service/api". */
  object: string;
  delay: number;
  /**
   * The delay counts from when the cluster has learnt the pod is going: a load balancer told by a
   * controller (deregistration) or by kube-proxy's health-check port, each of which reads the same
   * EndpointSlices as kube-proxy does. The sleep adds propagationDelay to it.
   */
  afterPropagation?: true;
  /** Why that delay, in a few words (for the warning and the record). */
  reason: string;
  /** How to shorten the delay, in a few words, when the load balancer's own settings can. */
  shorten?: string;
  /** The load balancer's readiness gate, when it has one. */
  gate?: ReadinessGate;
  /** The path's controller is not in the table: sized by propagationDelay, with a warning. */
  unknown?: true;
}

/** A problem in someone else's object: warned about, never a denial. */
export interface PathWarning {
  object: string;
  text: string;
}
