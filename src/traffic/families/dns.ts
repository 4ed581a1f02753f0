// Headless Services (clusterIP: None): no proxy in between; clients resolve the pods' addresses
// through the cluster DNS and connect to them, so they learn of a pod's end when their answer
// expires. Sources, in docs/traffic-paths.md:
// - CoreDNS's kubernetes plugin answers with a TTL of 5 s by default, but the Corefile Kubernetes
//   installs sets `ttl 30` and `cache 30` (Kubernetes "Customizing DNS Service"; kubernetes#76238
//   "change default 5s ttl to 30s for coredns to be same with kube-dns/dnsmasq"). An answer cached
//   just before the pod's end is served for up to 30 s after CoreDNS learns of it.
// - clients keep their own caches on top: the JVM caches for `networkaddress.cache.ttl`, 30 s by
//   default, whatever the record's TTL (Java's networking properties). Not seen from the pod
//   template, so named in the docs, not added here.
// - with publishNotReadyAddresses the terminating pod stays in DNS until it is deleted: no sleep
//   helps, and the path adds nothing.
import type { ServiceFacts, TrafficPath } from '../types.js';

export const DNS_TTL = 30;

export function headlessPath(service: ServiceFacts): TrafficPath {
  const object = `Service/${service.name}`;
  if (service.publishNotReadyAddresses) {
    return { family: 'headless-dns', object, delay: 0, reason: 'publishNotReadyAddresses: in DNS until deleted' };
  }
  return {
    family: 'headless-dns',
    object,
    delay: DNS_TTL,
    afterPropagation: true,
    reason: `headless: DNS cached up to ${DNS_TTL}s`,
  };
}
