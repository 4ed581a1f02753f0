// Registry detection and planning: what the pod template says, what the grace period must cover,
// and when consumers would still call a stopped app.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container } from '../../src/kube/pod-types.js';
import { MAX_WARNING_CHARS } from '../../src/kube/clip.js';
import { findRegistries } from '../../src/traffic/registries/detect.js';
import { FRAMEWORKS, type RegistryName } from '../../src/traffic/registries/frameworks.js';
import { systemProperties, literalEnv } from '../../src/traffic/registries/java-props.js';
import { planRegistry, shortWaitWarning } from '../../src/traffic/registries/plan.js';

const env = (pairs: Record<string, string>) => Object.entries(pairs).map(([name, value]) => ({ name, value }));
const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, ...extra });
const auto = { registry: 'auto' as const };

describe('registry detection', () => {
  it('finds Nacos, Eureka, Consul and Dubbo from their environment variables', () => {
    const found = findRegistries(
      [
        c('a', { env: env({ SPRING_CLOUD_NACOS_DISCOVERY_SERVER_ADDR: 'nacos:8848' }) }),
        c('b', { env: env({ EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: 'http://eureka/eureka/' }) }),
        c('c', { env: env({ SPRING_CLOUD_CONSUL_HOST: 'consul' }) }),
        c('d', { env: env({ DUBBO_REGISTRY_ADDRESS: 'nacos://nacos:8848' }) }),
        c('e', { env: env({ CONSUL_HTTP_ADDR: 'consul:8500' }) }),
      ],
      undefined,
    );
    assert.deepEqual(
      found.map((f) => [f.container, f.framework.name]),
      [
        ['a', 'nacos'],
        ['b', 'eureka'],
        ['c', 'consul'],
        ['d', 'dubbo'],
      ],
    );
  });

  it('reads -D properties from JAVA_TOOL_OPTIONS, JAVA_OPTS and the command line, quoted or not', () => {
    const container = c('app', {
      env: env({ JAVA_OPTS: '-Xmx1g "-Ddubbo.service.shutdown.wait=15500"' }),
      command: ['java', '-Ddubbo.registry.address=zookeeper://zk:2181', '-jar', 'app.jar'],
    });
    const props = systemProperties(container, literalEnv(container));
    assert.equal(props.get('dubbo.service.shutdown.wait'), '15500');
    const [found] = findRegistries([container], undefined);
    assert.equal(found?.framework.name, 'dubbo');
    assert.equal(found?.configuredWait, 16, 'milliseconds round up to whole seconds');
  });

  it('a -D property wins over the environment variable, as in Spring', () => {
    const container = c('app', {
      env: env({
        SPRING_CLOUD_NACOS_DISCOVERY_SERVER_ADDR: 'nacos:8848',
        SPRING_CLOUD_NACOS_DISCOVERY_GRACEFULSHUTDOWNWAITTIME: '20000',
        JAVA_TOOL_OPTIONS: '-Dspring.cloud.nacos.discovery.graceful-shutdown-wait-time=45000',
      }),
    });
    assert.equal(findRegistries([container], undefined)[0]?.configuredWait, 45);
  });

  it('ignores consumers that do not register, Dubbo N/A, values from ConfigMaps and unreadable waits', () => {
    const found = findRegistries(
      [
        c('a', { env: env({ EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: 'x', EUREKA_CLIENT_REGISTERWITHEUREKA: 'false' }) }),
        c('b', {
          env: env({ SPRING_CLOUD_NACOS_DISCOVERY_SERVER_ADDR: 'x', SPRING_CLOUD_NACOS_DISCOVERY_REGISTER_ENABLED: 'FALSE' }),
        }),
        c('c', { env: env({ DUBBO_REGISTRY_ADDRESS: 'N/A' }) }),
        c('d', { env: [{ name: 'DUBBO_REGISTRY_ADDRESS', valueFrom: { configMapKeyRef: { name: 'm', key: 'k' } } }] }),
        c('e', { env: 'not a list' as unknown as never }),
      ],
      undefined,
    );
    assert.deepEqual(found, []);
    const [odd] = findRegistries(
      [c('f', { env: env({ DUBBO_REGISTRY_ADDRESS: 'zk', DUBBO_SERVICE_SHUTDOWN_WAIT: '10s' }) })],
      undefined,
    );
    assert.equal(odd?.configuredWait, undefined, 'a wait that is not a number of milliseconds is not read');
  });

  it('a named registry applies to every selected container, detected or not', () => {
    const found = findRegistries([c('a'), c('b')], 'kitex');
    assert.deepEqual(
      found.map((f) => f.framework.name),
      ['kitex', 'kitex'],
    );
  });
});

describe('registry plan', () => {
  it('takes the longest wait of the containers, and registry-wait over the template', () => {
    const containers = [
      c('a', { env: env({ SPRING_CLOUD_NACOS_DISCOVERY_SERVER_ADDR: 'x' }) }),
      c('b', { env: env({ DUBBO_REGISTRY_ADDRESS: 'zk', JAVA_TOOL_OPTIONS: '-Ddubbo.service.shutdown.wait=30000' }) }),
    ];
    const plan = planRegistry(containers, auto);
    assert.equal(plan?.name, 'dubbo');
    assert.equal(plan?.wait, 30);
    assert.deepEqual(plan?.warnings, [
      'nacos stops 10s after leaving, consumers refresh 35s: raise spring.cloud.nacos.discovery.graceful-shutdown-wait-time',
    ]);
    assert.equal(planRegistry(containers, { registry: 'auto', registryWait: 40 })?.wait, 40);
    assert.deepEqual(planRegistry(containers, { registry: 'auto', registryWait: 40 })?.warnings, []);
  });

  it('none turns it off; no registry gives no plan', () => {
    const containers = [c('a', { env: env({ SPRING_CLOUD_NACOS_DISCOVERY_SERVER_ADDR: 'x' }) })];
    assert.equal(planRegistry(containers, { registry: 'none' }), undefined);
    assert.equal(planRegistry([c('plain')], auto), undefined);
  });

  it('warns only when the wait is shorter than the refresh; registry-refresh replaces the default', () => {
    const finding = { container: 'a', framework: FRAMEWORKS.etcd };
    assert.equal(shortWaitWarning(finding, 0, undefined), undefined, 'etcd consumers watch: no default refresh to outwait');
    assert.equal(
      shortWaitWarning(finding, 10, 30),
      'etcd stops 10s after leaving, consumers refresh 30s: make the app wait, then set gracekeeper.io/registry-wait',
    );
    assert.equal(shortWaitWarning(finding, 30, 30), undefined);
    assert.equal(shortWaitWarning({ container: 'a', framework: FRAMEWORKS.kitex }, 5, undefined), undefined);
  });

  it('every warning fits the 119 characters kubectl shows, with the longest numbers', () => {
    for (const name of Object.keys(FRAMEWORKS) as RegistryName[]) {
      for (const wait of [0, 3599]) {
        const text = shortWaitWarning({ container: 'x', framework: FRAMEWORKS[name] }, wait, 3600);
        assert.ok(text, `${name} warns`);
        assert.ok(text.length <= MAX_WARNING_CHARS, `${name}: ${text.length} chars: ${text}`);
      }
    }
  });
});
