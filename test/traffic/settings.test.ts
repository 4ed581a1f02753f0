// The cluster settings propagationDelay and trafficPaths: parsed into rules, every bad entry named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CLUSTER_SETTINGS, parseClusterSettings } from '../../src/settings/cluster-settings.js';
import { firstRule } from '../../src/settings/traffic-rules.js';

test('defaults: propagationDelay 5s, no rules', () => {
  assert.equal(DEFAULT_CLUSTER_SETTINGS.propagationDelay, 5);
  assert.deepEqual(DEFAULT_CLUSTER_SETTINGS.trafficPaths, []);
});

test('rules are read in order; an annotation is a key or key=value', () => {
  const r = parseClusterSettings(`
propagationDelay: 8s
trafficPaths:
  - match: {ingressClassName: haproxy}
    delay: 15s
  - match: {serviceType: LoadBalancer, annotation: "example.com/lb=slow=really"}
    delay: 2m
  - match: {annotation: example.com/lb}
    delay: 40
`);
  assert.ok(r.ok, !r.ok ? r.error.join('\n') : '');
  assert.equal(r.value.settings.propagationDelay, 8);
  assert.deepEqual(r.value.settings.trafficPaths, [
    { match: { ingressClassName: 'haproxy' }, delay: 15 },
    { match: { serviceType: 'LoadBalancer', annotation: { key: 'example.com/lb', value: 'slow=really' } }, delay: 120 },
    { match: { annotation: { key: 'example.com/lb' } }, delay: 40 },
  ]);
  const rules = r.value.settings.trafficPaths;
  const service = (annotations: Record<string, string>) => ({
    kind: 'Service' as const,
    serviceType: 'LoadBalancer',
    annotations,
  });
  assert.equal(firstRule(rules, service({ 'example.com/lb': 'slow=really' })), 1);
  assert.equal(
    firstRule(rules, service({ 'example.com/lb': 'fast' })),
    2,
    'all of a rule must hold; the next rule matches the key',
  );
  assert.equal(firstRule(rules, { kind: 'Ingress', className: 'haproxy', annotations: {} }), 0);
  assert.equal(firstRule(rules, { kind: 'Ingress', className: 'nginx', annotations: {} }), -1);
  assert.equal(
    firstRule(rules, { kind: 'Route', classNames: ['haproxy'], annotations: {} }),
    -1,
    'an Ingress class is not a Gateway class',
  );
});

test('every bad rule is named with what is accepted', () => {
  const r = parseClusterSettings(`
propagationDelay: soon
trafficPaths:
  - match: {ingressClass: x}
    delay: 5s
  - match: {serviceType: ""}
    delay: 5s
  - match: {serviceType: LoadBalancer}
    delay: forever
  - delay: 5s
`);
  assert.ok(!r.ok);
  assert.deepEqual(
    r.error.map((e) => e.split(':')[0]),
    [
      'propagationDelay="soon"',
      'trafficPaths[0].match',
      'trafficPaths[1].match',
      'trafficPaths[2].delay="forever"',
      'trafficPaths[3].match',
    ],
  );
  assert.ok(r.error[1]?.includes('ingressClassName, serviceType, gatewayClassName, annotation'));
  const notList = parseClusterSettings('trafficPaths: {a: 1}\n');
  assert.ok(!notList.ok && /expected a list of at most 100/.test(notList.error[0] ?? ''));
});
