// deploy/observability as kustomize renders it (alone, and as the component
// deploy/components/observability in an overlay of deploy/), and as the chart renders it with
// observability on: the same three objects, and a ServiceMonitor that scrapes the Service's
// metrics port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEPLOY, findKubectl, one, renderWith, selects, type Obj } from '../deploy/kustomize.js';
import { helmSkip, normalise, template } from '../helm/chart.js';
import { dashboard, OBSERVABILITY, prometheusRule } from './queries.js';

const kubectlFound = await findKubectl();
const pick = (objects: Obj[]) =>
  objects.filter(
    (o) => o.kind === 'ServiceMonitor' || o.kind === 'PrometheusRule' || o.metadata.name === 'gracekeeper-dashboard',
  );

describe('deploy/observability and its kustomize component', { skip: kubectlFound.reason ?? false }, () => {
  const overlay = mkdtempSync(join(tmpdir(), 'gk-observability-'));
  after(() => rmSync(overlay, { recursive: true, force: true }));
  const kubectl = kubectlFound.kubectl!;

  /** An overlay of deploy/ with the component, as docs/helm.md and the component's comment say. */
  const withComponent = (): Obj[] => {
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `resources: [${relative(overlay, DEPLOY)}]`,
        `components: [${relative(overlay, join(DEPLOY, 'components', 'observability'))}]`,
        '',
      ].join('\n'),
    );
    return renderWith(kubectl, overlay);
  };

  it('renders the ServiceMonitor, the PrometheusRule and the dashboard ConfigMap in gracekeeper', () => {
    const objects = renderWith(kubectl, OBSERVABILITY);
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'PrometheusRule', 'ServiceMonitor']);
    for (const o of objects) {
      assert.equal(o.metadata.namespace, 'gracekeeper');
      assert.equal(o.metadata.labels['app.kubernetes.io/part-of'], 'gracekeeper');
    }
    const cm = one(objects, 'ConfigMap', 'gracekeeper-dashboard');
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
    assert.deepEqual(JSON.parse(cm.data['dashboard.json'] as string), dashboard());
    assert.deepEqual(one(objects, 'PrometheusRule').spec, prometheusRule().spec);
  });

  it('as a component of deploy/: the install plus the three, the ServiceMonitor scraping the metrics port', () => {
    const objects = withComponent();
    assert.deepEqual(pick(objects).length, 3);
    const service = one(objects, 'Service', 'gracekeeper');
    const sm = one(objects, 'ServiceMonitor');
    assert.equal(sm.metadata.namespace, service.metadata.namespace, 'same namespace: no namespaceSelector needed');
    assert.ok(selects(sm.spec.selector, service.metadata.labels), 'selects the Service by its labels');
    const port = (service.spec.ports as Obj[]).find((p) => p.name === sm.spec.endpoints[0].port);
    assert.ok(port, `the Service has the port ${sm.spec.endpoints[0].port}`);
    assert.equal(port.port, 9090);
    assert.equal(sm.spec.endpoints[0].path, '/metrics');
  });

  it('equals what the chart renders with observability on (normalised as test/helm/chart.ts says)', { skip: helmSkip }, () => {
    const chart = template({
      values: {
        observability: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true }, dashboard: { enabled: true } },
      },
    });
    assert.deepEqual(normalise(pick(chart)), normalise(pick(withComponent())));
  });
});
