// The traffic index: Services found by the labels their selectors name (never by a scan), what
// fronts each, and updates and removals that leave nothing stale behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrafficIndex } from '../../src/traffic/index.js';

const svc = (name: string, selector: Record<string, string> | undefined, extra: Record<string, unknown> = {}) => ({
  metadata: {
    name,
    namespace: 'shop',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', big: 'x'.repeat(2000), keep: 'y' },
  },
  spec: { ...(selector ? { selector } : {}), ...extra },
});
const ingress = (name: string, backends: string[], className?: string, defaultBackend?: string) => ({
  metadata: { name, namespace: 'shop' },
  spec: {
    ...(className ? { ingressClassName: className } : {}),
    ...(defaultBackend ? { defaultBackend: { service: { name: defaultBackend } } } : {}),
    rules: [{ http: { paths: backends.map((b) => ({ backend: { service: { name: b } } })) } }],
  },
});
const names = (index: TrafficIndex, labels: Record<string, string>, ns = 'shop') =>
  index.facts(ns, labels).services.map((s) => s.service.name);

test('a Service matches when its whole selector is among the labels; no selector, no match', () => {
  const index = new TrafficIndex();
  index.upsert('Service', svc('web', { app: 'web' }));
  index.upsert('Service', svc('web-front', { app: 'web', tier: 'front' }));
  index.upsert('Service', svc('headless', undefined));
  index.upsert('Service', svc('api', { app: 'api' }));
  assert.deepEqual(names(index, { app: 'web', tier: 'front', x: 'y' }), ['web', 'web-front']);
  assert.deepEqual(names(index, { app: 'web' }), ['web']);
  assert.deepEqual(names(index, { app: 'web' }, 'other'), [], 'another namespace');
  assert.deepEqual(names(index, {}), []);
  const facts = index.facts('shop', { app: 'web' }).services[0];
  assert.deepEqual(facts?.service.annotations, { keep: 'y' }, 'last-applied and values over 1 KiB are not kept');
  assert.equal(facts?.service.type, 'ClusterIP');
  assert.equal(facts?.service.externalTrafficPolicy, 'Cluster');
});

test('Ingresses by the Services their rules and default backend name; classes and the default class', () => {
  const index = new TrafficIndex();
  index.upsert('Service', svc('web', { app: 'web' }));
  index.upsert('Ingress', ingress('by-rule', ['web', 'other'], 'alb'));
  index.upsert('Ingress', ingress('by-default', [], undefined, 'web'));
  index.upsert('Ingress', ingress('elsewhere', ['other'], 'alb'));
  index.upsert('IngressClass', {
    metadata: { name: 'corp', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx' },
  });
  index.upsert('IngressClass', { metadata: { name: 'alb' }, spec: { controller: 'ingress.k8s.aws/alb' } });
  const [path] = index.facts('shop', { app: 'web' }).services;
  assert.deepEqual(
    path?.ingresses.map((i) => [i.name, i.className, i.controller]),
    [
      ['by-default', 'corp', 'k8s.io/ingress-nginx'],
      ['by-rule', 'alb', 'ingress.k8s.aws/alb'],
    ],
  );
});

test('routes by their backendRefs (in any namespace), with their Gateways classes and controllers', () => {
  const index = new TrafficIndex();
  index.upsert('Service', svc('web', { app: 'web' }));
  index.upsert('GatewayClass', {
    metadata: { name: 'eg' },
    spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
  });
  index.upsert('Gateway', { metadata: { name: 'public', namespace: 'edge' }, spec: { gatewayClassName: 'eg' } });
  index.upsert('HTTPRoute', {
    metadata: { name: 'cross', namespace: 'routes' },
    spec: {
      parentRefs: [
        { name: 'public', namespace: 'edge' },
        { name: 'svc', kind: 'Service', group: '' },
      ],
      rules: [
        {
          backendRefs: [
            { name: 'web', namespace: 'shop' },
            { name: 'ext', kind: 'Backend', group: 'x.io' },
          ],
        },
      ],
    },
  });
  index.upsert('GRPCRoute', {
    metadata: { name: 'local', namespace: 'routes' },
    spec: { rules: [{ backendRefs: [{ name: 'web' }] }] },
  });
  const [path] = index.facts('shop', { app: 'web' }).services;
  assert.deepEqual(path?.routes, [
    {
      kind: 'HTTPRoute',
      name: 'cross',
      namespace: 'routes',
      annotations: {},
      gateways: [{ name: 'edge/public', className: 'eg', controller: 'gateway.envoyproxy.io/gatewayclass-controller' }],
    },
  ]);
});

test('an update replaces what the old object said; a removal and a clear forget it', () => {
  const index = new TrafficIndex();
  index.upsert('Service', svc('web', { app: 'web' }));
  index.upsert('Ingress', ingress('web', ['web'], 'alb'));
  index.upsert('HTTPRoute', {
    metadata: { name: 'r', namespace: 'shop' },
    spec: { rules: [{ backendRefs: [{ name: 'web' }] }] },
  });
  index.upsert('Service', svc('web', { app: 'api' }));
  assert.deepEqual(names(index, { app: 'web' }), [], 'the old selector is gone');
  assert.deepEqual(names(index, { app: 'api' }), ['web']);
  index.upsert('Ingress', ingress('web', ['nothing'], 'alb'));
  assert.deepEqual(index.facts('shop', { app: 'api' }).services[0]?.ingresses, []);
  assert.equal(index.facts('shop', { app: 'api' }).services[0]?.routes.length, 1);
  index.clear(['HTTPRoute']);
  assert.equal(index.facts('shop', { app: 'api' }).services[0]?.routes.length, 0);
  index.remove('Service', 'shop', 'web');
  assert.deepEqual(names(index, { app: 'api' }), []);
  assert.deepEqual(index.counts(), { Service: 0, Ingress: 1, Route: 0, Gateway: 0, IngressClass: 0, GatewayClass: 0 });
});

test('a lookup reads only the Services that share a label, whatever the namespace holds', () => {
  const index = new TrafficIndex();
  for (let i = 0; i < 20_000; i++) index.upsert('Service', svc(`s${i}`, { app: `a${i}` }));
  index.upsert('Service', svc('web', { app: 'web' }));
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) names(index, { app: 'web', tier: 'front' });
  const perLookupUs = ((performance.now() - started) / 10_000) * 1000;
  assert.deepEqual(names(index, { app: 'web' }), ['web']);
  assert.ok(perLookupUs < 50, `${perLookupUs.toFixed(1)} us a lookup with 20,000 Services in the namespace`);
});
