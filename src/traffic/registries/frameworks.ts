// The service-registry frameworks gracekeeper knows: how each leaves the registry when SIGTERM
// arrives, how long it waits after leaving before it stops serving, how soon its consumers stop
// calling an instance that left, and the setting that changes the wait. Every number is cited in
// docs/registries.md.
import type { RegistryMode } from '../../settings/types.js';

export type RegistryName = Exclude<RegistryMode, 'auto' | 'none'>;

/** A property the app reads, as a `-D` system property and as an environment variable. */
export interface Property {
  /** Dotted names as written in `-D` (any of them). */
  properties: readonly string[];
  /** Environment variable names (Spring's relaxed binding, or the framework's own). */
  env: readonly string[];
}

export interface Framework {
  name: RegistryName;
  title: string;
  /** Seconds it waits, by default, between leaving the registry and stopping. */
  wait: number;
  /** Where the app sets that wait, and its unit; undefined: the framework has no such setting. */
  waitSetting?: Property & { unit: 'ms' | 's' };
  /** Seconds its consumers may go on calling an instance that left; undefined: not documented. */
  refresh?: number;
  /** The setting the warning names, when the wait is shorter than the refresh. */
  advice: string;
  /** Where the framework is configured to register (detection), and where registration is turned off. */
  detect?: { register: Property; off?: Property };
}

export const FRAMEWORKS: Readonly<Record<RegistryName, Framework>> = {
  eureka: {
    name: 'eureka',
    title: 'Spring Cloud Netflix Eureka',
    wait: 0,
    refresh: 65,
    advice: "lower consumers' eureka.client.registry-fetch-interval-seconds",
    detect: {
      register: {
        properties: ['eureka.client.serviceUrl.defaultZone', 'eureka.client.service-url.defaultZone'],
        env: ['EUREKA_CLIENT_SERVICEURL_DEFAULTZONE', 'EUREKA_CLIENT_SERVICE_URL_DEFAULTZONE'],
      },
      off: {
        properties: ['eureka.client.register-with-eureka', 'eureka.client.registerWithEureka'],
        env: ['EUREKA_CLIENT_REGISTERWITHEUREKA', 'EUREKA_CLIENT_REGISTER_WITH_EUREKA'],
      },
    },
  },
  nacos: {
    name: 'nacos',
    title: 'Spring Cloud Alibaba Nacos',
    wait: 10,
    waitSetting: {
      properties: [
        'spring.cloud.nacos.discovery.graceful-shutdown-wait-time',
        'spring.cloud.nacos.discovery.gracefulShutdownWaitTime',
      ],
      env: ['SPRING_CLOUD_NACOS_DISCOVERY_GRACEFULSHUTDOWNWAITTIME'],
      unit: 'ms',
    },
    refresh: 35,
    advice: 'raise spring.cloud.nacos.discovery.graceful-shutdown-wait-time',
    detect: {
      register: {
        properties: ['spring.cloud.nacos.discovery.server-addr', 'spring.cloud.nacos.discovery.serverAddr'],
        env: ['SPRING_CLOUD_NACOS_DISCOVERY_SERVERADDR', 'SPRING_CLOUD_NACOS_DISCOVERY_SERVER_ADDR'],
      },
      off: {
        properties: ['spring.cloud.nacos.discovery.register-enabled', 'spring.cloud.nacos.discovery.registerEnabled'],
        env: ['SPRING_CLOUD_NACOS_DISCOVERY_REGISTERENABLED', 'SPRING_CLOUD_NACOS_DISCOVERY_REGISTER_ENABLED'],
      },
    },
  },
  consul: {
    name: 'consul',
    title: 'Spring Cloud Consul',
    wait: 0,
    refresh: 35,
    advice: "lower consumers' spring.cloud.loadbalancer.cache.ttl",
    detect: {
      register: { properties: ['spring.cloud.consul.host'], env: ['SPRING_CLOUD_CONSUL_HOST'] },
      off: {
        properties: ['spring.cloud.consul.discovery.register'],
        env: ['SPRING_CLOUD_CONSUL_DISCOVERY_REGISTER'],
      },
    },
  },
  dubbo: {
    name: 'dubbo',
    title: 'Apache Dubbo',
    wait: 10,
    waitSetting: {
      properties: ['dubbo.service.shutdown.wait'],
      env: ['DUBBO_SERVICE_SHUTDOWN_WAIT'],
      unit: 'ms',
    },
    refresh: 0,
    advice: 'raise dubbo.service.shutdown.wait',
    detect: {
      register: { properties: ['dubbo.registry.address'], env: ['DUBBO_REGISTRY_ADDRESS'] },
    },
  },
  kitex: {
    name: 'kitex',
    title: 'CloudWeGo Kitex',
    wait: 0,
    advice: 'Deregister in a RegisterShutdownHook, then wait',
  },
  etcd: {
    name: 'etcd',
    title: 'an etcd registry (gRPC naming)',
    wait: 0,
    refresh: 0,
    advice: 'make the app wait, then set gracekeeper.io/registry-wait',
  },
};

/** The frameworks detection looks for, in order (the first that matches a container wins). */
export const DETECTED: readonly Framework[] = [FRAMEWORKS.nacos, FRAMEWORKS.eureka, FRAMEWORKS.consul, FRAMEWORKS.dubbo];
