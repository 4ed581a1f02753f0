// The cloud from a Node's spec.providerID, and which cloud the table uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudOfProviderId, effectiveCloud } from '../../src/traffic/cloud.js';
import { gateWarnings, shortenWarning, unknownPathWarning } from '../../src/traffic/advice.js';
import type { TrafficPath } from '../../src/traffic/types.js';

test('providerID schemes name the cloud; anything else is unknown', () => {
  assert.equal(cloudOfProviderId('aws:///us-east-1a/i-0123456789abcdef0'), 'aws');
  assert.equal(cloudOfProviderId('gce://my-project/europe-west1-b/gke-node-1'), 'gcp');
  assert.equal(
    cloudOfProviderId('azure:///subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z'),
    'azure',
  );
  assert.equal(cloudOfProviderId('qcloud:///800005/ins-2jv4wpmr'), 'tencent');
  assert.equal(cloudOfProviderId('cn-hangzhou.i-bp1abcdef0123456'), 'alibaba');
  assert.equal(cloudOfProviderId('alicloud:///cn-hangzhou-h/i-bp1abc'), 'alibaba');
  for (const id of [undefined, '', 'kind://docker/kind/kind-control-plane', 'hcloud://123', 'cn-hangzhou']) {
    assert.equal(cloudOfProviderId(id), undefined, String(id));
  }
});

test('the cluster setting wins; auto takes what was learnt; none takes nothing', () => {
  assert.equal(effectiveCloud('auto', 'aws'), 'aws');
  assert.equal(effectiveCloud('auto', undefined), undefined);
  assert.equal(effectiveCloud('azure', 'aws'), 'azure');
  assert.equal(effectiveCloud('none', 'aws'), undefined);
});

const path = (over: Partial<TrafficPath>): TrafficPath => ({
  family: 'f',
  object: 'Ingress/web',
  delay: 0,
  reason: 'r',
  ...over,
});

test('advice warnings: unknown paths named, how to shorten, gates not in use (once per family), all under 120 chars', () => {
  const unknown = unknownPathWarning(path({ reason: 'class haproxy: controller unknown' }), '5s');
  assert.equal(unknown, 'Ingress/web: class haproxy: controller unknown; used propagationDelay 5s');
  assert.equal(shortenWarning(path({})), undefined);
  assert.equal(shortenWarning(path({ shorten: 'lower it' })), 'Ingress/web to shorten: lower it');
  const gate = {
    namespaceLabel: { key: 'k', value: 'enabled' },
    conditionPrefix: 'target-health.x/',
    how: 'label Namespace k=enabled',
  };
  const paths = [path({ gate }), path({ object: 'Ingress/other', gate })];
  assert.deepEqual(gateWarnings(paths, { namespaceLabels: {}, readinessGates: [] }), [
    'Ingress/web: gate rollouts on LB health: label Namespace k=enabled',
  ]);
  assert.deepEqual(gateWarnings(paths, { namespaceLabels: { k: 'enabled' }, readinessGates: [] }), []);
  assert.deepEqual(gateWarnings(paths, { namespaceLabels: {}, readinessGates: ['target-health.x/web_web_80'] }), []);
  assert.deepEqual(gateWarnings(paths, { namespaceLabels: { k: 'disabled' }, readinessGates: ['other'] }).length, 1);
});

test('the index keeps headless and publishNotReadyAddresses, and hands on the cloud it was told', async () => {
  const { TrafficIndex } = await import('../../src/traffic/index.js');
  const index = new TrafficIndex();
  index.upsert('Service', {
    metadata: { name: 'db', namespace: 'shop' },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'db' } },
  });
  const facts = index.facts('shop', { app: 'db' });
  assert.equal(facts.cloud, undefined);
  assert.deepEqual([facts.services[0]?.service.headless, facts.services[0]?.service.publishNotReadyAddresses], [true, true]);
  index.cloud = 'gcp';
  assert.equal(index.facts('shop', { app: 'db' }).cloud, 'gcp');
});
