// The NetworkPolicy (issue 24): the kustomize component and the chart's networkPolicy value each
// select exactly the webhook's pods and admit only its two ports (webhook 8443, metrics 9090),
// matching the Deployment's containerPorts; off unless asked for.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { template } from '../helm/chart.js';
import { findKubectl, one, renderWith, selects } from './kustomize.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Obj = Record<string, any>;

function ports(policy: Obj): number[] {
  return (policy.spec.ingress as Obj[]).flatMap((rule) => (rule.ports as Obj[]).map((p) => p.port as number)).sort();
}

test('the kustomize component: only the webhook and metrics ports of the webhook pods', async (t) => {
  const { kubectl, reason } = await findKubectl();
  if (!kubectl) return t.skip(reason);
  const dir = mkdtempSync(join(tmpdir(), 'gk-np-'));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `resources: [${relative(dir, join(ROOT, 'deploy'))}]\ncomponents: [${relative(dir, join(ROOT, 'deploy/components/network-policy'))}]\n`,
  );
  const objects = renderWith(kubectl, dir);
  const policy = one(objects, 'NetworkPolicy', 'gracekeeper');
  const deployment = one(objects, 'Deployment');
  assert.ok(selects(policy.spec.podSelector, deployment.spec.template.metadata.labels));
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  assert.deepEqual(ports(policy), [8443, 9090]);
  const containerPorts = (deployment.spec.template.spec.containers[0].ports as Obj[]).map((p) => p.containerPort).sort();
  assert.deepEqual(containerPorts, [8443, 9090]);
  assert.equal(policy.metadata.namespace, deployment.metadata.namespace);
  const plain = renderWith(kubectl, join(ROOT, 'deploy'));
  assert.equal(plain.filter((o) => o.kind === 'NetworkPolicy').length, 0, 'off by default');
});

test('the chart: networkPolicy.enabled renders it with the peers given; off by default', () => {
  assert.equal(template().filter((o) => o.kind === 'NetworkPolicy').length, 0);
  const cidr = { ipBlock: { cidr: '10.0.0.0/24' } };
  const objects = template({ values: { networkPolicy: { enabled: true, webhookFrom: [cidr] } } });
  const policy = objects.find((o) => o.kind === 'NetworkPolicy') as Obj;
  const deployment = objects.find((o) => o.kind === 'Deployment') as Obj;
  assert.ok(selects(policy.spec.podSelector, deployment.spec.template.metadata.labels));
  assert.deepEqual(ports(policy), [8443, 9090]);
  assert.deepEqual(policy.spec.ingress[0].from, [cidr]);
  assert.equal(policy.spec.ingress[1].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'], 'monitoring');
});
