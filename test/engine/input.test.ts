// The engine's one input builder (src/engine/input.ts): which facts a request asks of the cluster,
// whoever answers them (the webhook's caches, `gracekeeper mutate`'s documents, the audit's view),
// and where each answer goes in the input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInput, type AdmissionSubject, type ClusterFacts } from '../../src/engine/input.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import * as fixtures from '../fixtures.js';

const DEPLOY = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD = { group: '', version: 'v1', kind: 'Pod' };

/** A source answering every question, and the questions it was asked. */
function recording(): { facts: Required<ClusterFacts>; asked: string[] } {
  const asked: string[] = [];
  const facts: Required<ClusterFacts> = {
    namespace: (name) => (asked.push(`namespace ${name}`), { labels: { l: '1' }, annotations: { a: '1' } }),
    kubeVersion: () => (asked.push('kubeVersion'), { major: 1, minor: 33 }),
    traffic: (ns, labels, governing) => (asked.push(`traffic ${ns} ${JSON.stringify(labels)} ${governing}`), { services: [] }),
    ownerAnnotations: (ns, owner) => (asked.push(`owner ${ns} ${owner.kind}/${owner.name}`), { 'gracekeeper.io/x': 'y' }),
    outcomes: (ns, workload) => (asked.push(`outcomes ${ns} ${workload.kind}/${workload.name}`), undefined),
  };
  return { facts, asked };
}

const deployment = (namespace: string, operation: 'CREATE' | 'UPDATE'): AdmissionSubject => ({
  kind: DEPLOY,
  operation,
  namespace,
  name: 'web',
  object: fixtures.deployment({ namespace }),
});

describe('the input builder', () => {
  it("a workload's CREATE asks its Namespace, its pods' traffic and the version, and carries the answers", () => {
    const { facts, asked } = recording();
    const input = buildInput(deployment('shop', 'CREATE'), facts, DEFAULT_CLUSTER_SETTINGS);
    assert.deepEqual(asked, ['namespace shop', 'traffic shop {"app":"web"} undefined', 'kubeVersion']);
    assert.deepEqual(input.namespaceLabels, { l: '1' });
    assert.deepEqual(input.namespaceAnnotations, { a: '1' });
    assert.deepEqual(input.traffic, { services: [] });
    assert.deepEqual(input.kubeVersion, { major: 1, minor: 33 });
    assert.equal(input.ownerAnnotations, undefined);
  });

  it("its UPDATE asks the workload's outcomes as well; a Pod's CREATE with an owner asks the owner", () => {
    const update = recording();
    buildInput(deployment('shop', 'UPDATE'), update.facts, DEFAULT_CLUSTER_SETTINGS);
    assert.ok(update.asked.includes('outcomes shop Deployment/web'), update.asked.join('\n'));
    const pod = recording();
    const object = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1-x',
        namespace: 'shop',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true }],
      },
      spec: { containers: [fixtures.container()] },
    };
    const input = buildInput({ kind: POD, operation: 'CREATE', namespace: 'shop', object }, pod.facts, DEFAULT_CLUSTER_SETTINGS);
    assert.ok(pod.asked.includes('owner shop ReplicaSet/web-1'), pod.asked.join('\n'));
    assert.ok(!pod.asked.some((q) => q.startsWith('outcomes')));
    assert.deepEqual(input.ownerAnnotations, { 'gracekeeper.io/x': 'y' });
  });

  it('an excluded namespace is asked nothing but the version; a source without traffic leaves it out', () => {
    const { facts, asked } = recording();
    const input = buildInput(deployment('kube-system', 'UPDATE'), facts, DEFAULT_CLUSTER_SETTINGS);
    assert.deepEqual(asked, ['kubeVersion']);
    assert.deepEqual([input.namespaceLabels, input.namespaceAnnotations, input.traffic], [{}, {}, undefined]);
    const bare = buildInput(
      deployment('shop', 'CREATE'),
      { namespace: () => undefined, kubeVersion: () => undefined },
      DEFAULT_CLUSTER_SETTINGS,
    );
    assert.equal('traffic' in bare, false);
    assert.deepEqual(bare.namespaceAnnotations, {});
  });
});
