// An index of what sends traffic to pods: Services by the labels their selectors name, and the
// Ingresses and Gateway API routes that name each Service, with the classes that say which load
// balancer serves them. Fed with raw Kubernetes objects, by the informers at the edge and by
// `gracekeeper mutate` from its input; asked, for a pod template's namespace and labels, for the
// facts the table reads. A lookup costs the template's labels and the Services that share one,
// never a scan of every Service.
import {
  compactIngress,
  compactRoute,
  compactService,
  type IngressEntry,
  type RouteEntry,
  type ServiceEntry,
} from './compact.js';
import type { Cloud, IngressFacts, RouteFacts, ServicePath, TrafficFacts } from './types.js';

type Obj = Record<string, unknown>;
export type IndexedKind = 'Service' | 'Ingress' | 'IngressClass' | 'HTTPRoute' | 'GRPCRoute' | 'Gateway' | 'GatewayClass';

function metaOf(obj: Obj): { name: string; namespace: string; annotations: Record<string, string> } {
  const m = (obj.metadata ?? {}) as Obj;
  return {
    name: typeof m.name === 'string' ? m.name : '',
    namespace: typeof m.namespace === 'string' ? m.namespace : '',
    annotations: (m.annotations ?? {}) as Record<string, string>,
  };
}

function bucket<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function unlink<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

export class TrafficIndex {
  private readonly services = new Map<string, ServiceEntry>(); // ns/name
  private readonly byLabel = new Map<string, Set<string>>(); // ns\0key=value -> ns/name
  private readonly ingresses = new Map<string, IngressEntry>(); // ns/name
  private readonly ingressesByService = new Map<string, Set<string>>(); // ns/service -> ns/name
  private readonly routes = new Map<string, RouteEntry>(); // kind/ns/name
  private readonly routesByService = new Map<string, Set<string>>(); // ns/service -> kind/ns/name
  private readonly gateways = new Map<string, string>(); // ns/name -> class
  private readonly gatewayClasses = new Map<string, string>(); // name -> controller
  private readonly ingressClasses = new Map<string, { controller?: string; isDefault: boolean }>();
  /** The cloud learnt from the Nodes (handed on in every answer; see traffic/cloud.ts). */
  cloud: Cloud | undefined;

  /** Objects held, by kind (for metrics). */
  counts(): Record<string, number> {
    return {
      Service: this.services.size,
      Ingress: this.ingresses.size,
      Route: this.routes.size,
      Gateway: this.gateways.size,
      IngressClass: this.ingressClasses.size,
      GatewayClass: this.gatewayClasses.size,
    };
  }

  upsert(kind: IndexedKind, obj: Obj): void {
    const { name, namespace } = metaOf(obj);
    if (name === '') return;
    this.remove(kind, namespace, name);
    const key = `${namespace}/${name}`;
    switch (kind) {
      case 'Service': {
        const entry = compactService(obj);
        this.services.set(key, entry);
        for (const [k, v] of Object.entries(entry.selector)) bucket(this.byLabel, `${namespace}\u0000${k}=${v}`).add(key);
        return;
      }
      case 'Ingress': {
        const entry = compactIngress(obj);
        this.ingresses.set(key, entry);
        for (const service of entry.backends) bucket(this.ingressesByService, `${namespace}/${service}`).add(key);
        return;
      }
      case 'HTTPRoute':
      case 'GRPCRoute': {
        const entry = compactRoute(kind, obj);
        const routeKey = `${kind}/${key}`;
        this.routes.set(routeKey, entry);
        for (const backend of entry.backends) bucket(this.routesByService, backend).add(routeKey);
        return;
      }
      case 'Gateway': {
        const spec = (obj.spec ?? {}) as Obj;
        this.gateways.set(key, typeof spec.gatewayClassName === 'string' ? spec.gatewayClassName : '');
        return;
      }
      case 'GatewayClass': {
        const spec = (obj.spec ?? {}) as Obj;
        this.gatewayClasses.set(name, typeof spec.controllerName === 'string' ? spec.controllerName : '');
        return;
      }
      case 'IngressClass': {
        const spec = (obj.spec ?? {}) as Obj;
        const isDefault = metaOf(obj).annotations['ingressclass.kubernetes.io/is-default-class'] === 'true';
        this.ingressClasses.set(name, {
          controller: typeof spec.controller === 'string' ? spec.controller : undefined,
          isDefault,
        });
      }
    }
  }

  remove(kind: IndexedKind, namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    switch (kind) {
      case 'Service': {
        const old = this.services.get(key);
        if (!old) return;
        this.services.delete(key);
        for (const [k, v] of Object.entries(old.selector)) unlink(this.byLabel, `${namespace}\u0000${k}=${v}`, key);
        return;
      }
      case 'Ingress': {
        const old = this.ingresses.get(key);
        if (!old) return;
        this.ingresses.delete(key);
        for (const service of old.backends) unlink(this.ingressesByService, `${namespace}/${service}`, key);
        return;
      }
      case 'HTTPRoute':
      case 'GRPCRoute': {
        const routeKey = `${kind}/${key}`;
        const old = this.routes.get(routeKey);
        if (!old) return;
        this.routes.delete(routeKey);
        for (const backend of old.backends) unlink(this.routesByService, backend, routeKey);
        return;
      }
      case 'Gateway':
        this.gateways.delete(key);
        return;
      case 'GatewayClass':
        this.gatewayClasses.delete(name);
        return;
      case 'IngressClass':
        this.ingressClasses.delete(name);
    }
  }

  /** Forgets every object of these kinds (their CRDs went away, or a re-list replaces them). */
  clear(kinds: readonly IndexedKind[]): void {
    for (const kind of kinds) {
      if (kind === 'Service') {
        this.services.clear();
        this.byLabel.clear();
      } else if (kind === 'Ingress') {
        this.ingresses.clear();
        this.ingressesByService.clear();
      } else if (kind === 'HTTPRoute' || kind === 'GRPCRoute') {
        for (const [routeKey, route] of this.routes) {
          if (!routeKey.startsWith(`${kind}/`)) continue;
          this.routes.delete(routeKey);
          for (const backend of route.backends) unlink(this.routesByService, backend, routeKey);
        }
      } else if (kind === 'Gateway') this.gateways.clear();
      else if (kind === 'GatewayClass') this.gatewayClasses.clear();
      else this.ingressClasses.clear();
    }
  }

  /**
   * What sends traffic to pods with these labels in this namespace; with `governing`, also what is
   * known of that Service (a StatefulSet's spec.serviceName), looked up by name.
   */
  facts(namespace: string, labels: Record<string, string> | undefined, governing?: string): TrafficFacts {
    const candidates = new Set<string>();
    for (const [k, v] of Object.entries(labels ?? {})) {
      for (const key of this.byLabel.get(`${namespace}\u0000${k}=${v}`) ?? []) candidates.add(key);
    }
    const services: ServicePath[] = [];
    for (const key of [...candidates].sort()) {
      const entry = this.services.get(key) as ServiceEntry;
      if (!Object.entries(entry.selector).every(([k, v]) => labels?.[k] === v)) continue;
      services.push({
        service: entry.facts,
        ingresses: [...(this.ingressesByService.get(key) ?? [])].sort().map((k) => this.ingressFacts(k)),
        routes: [...(this.routesByService.get(key) ?? [])].sort().map((k) => this.routeFacts(k)),
      });
    }
    const cloud = this.cloud ? { cloud: this.cloud } : {};
    if (governing === undefined) return { services, ...cloud };
    const entry = this.services.get(`${namespace}/${governing}`);
    const service = entry ? { headless: entry.headless, publishNotReadyAddresses: entry.publishNotReadyAddresses } : undefined;
    return { services, ...cloud, governing: { name: governing, ...(service ? { service } : {}) } };
  }

  private ingressFacts(key: string): IngressFacts {
    const entry = this.ingresses.get(key) as IngressEntry;
    let className = entry.className;
    if (className === undefined) {
      for (const [name, c] of [...this.ingressClasses].sort()) if (c.isDefault) className ??= name;
    }
    const controller = className === undefined ? undefined : this.ingressClasses.get(className)?.controller;
    return { name: entry.name, className, controller, annotations: entry.annotations };
  }

  private routeFacts(key: string): RouteFacts {
    const entry = this.routes.get(key) as RouteEntry;
    return {
      kind: entry.kind,
      name: entry.name,
      namespace: entry.namespace,
      annotations: entry.annotations,
      gateways: entry.parents.map((parent) => {
        const className = this.gateways.get(parent);
        return { name: parent, className, controller: className === undefined ? undefined : this.gatewayClasses.get(className) };
      }),
    };
  }
}
