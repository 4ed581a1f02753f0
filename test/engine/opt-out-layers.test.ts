// gracekeeper.io/inject at every layer, the nearest deciding: the cluster's defaults.inject, the
// Namespace's annotation, the workload's, the pod template's (or the Pod's own). "true" at a nearer
// layer opts back in; a workload's opt-in travels to its ReplicaSet and Pods in the record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import { admit } from '../../src/engine/admit.js';
import { optOutByLayers } from '../../src/engine/scope.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings } from '../../src/settings/cluster-settings.js';
import * as fixtures from '../fixtures.js';

type Obj = Record<string, any>;
const INJECT = 'gracekeeper.io/inject';
const OFF_BY_DEFAULT: ClusterSettings = {
  ...DEFAULT_CLUSTER_SETTINGS,
  defaults: { ...DEFAULT_CLUSTER_SETTINGS.defaults, inject: false },
};

const deployment = (workload: Record<string, string> = {}, template: Record<string, string> = {}): Obj =>
  fixtures.deployment({ annotations: workload, templateAnnotations: template });

function input(object: Obj, ns: Record<string, string>, cluster = DEFAULT_CLUSTER_SETTINGS, op = 'CREATE'): AdmissionInput {
  const kind = object.kind as string;
  const group = kind === 'Pod' ? '' : 'apps';
  return {
    kind: { group, version: 'v1', kind },
    operation: op as AdmissionInput['operation'],
    namespace: 'shop',
    object,
    namespaceAnnotations: ns,
    cluster,
  };
}

test('the nearest layer decides; "true" opts back in', () => {
  const decide = (t?: string, w?: string, n?: string, c = true) =>
    optOutByLayers({
      template: t === undefined ? undefined : { [INJECT]: t },
      workload: w === undefined ? undefined : { [INJECT]: w },
      namespace: n === undefined ? undefined : { [INJECT]: n },
      clusterDefault: c,
    });
  assert.deepEqual(decide(), { optOut: false });
  assert.deepEqual(decide(undefined, undefined, undefined, false), { optOut: true, by: 'cluster' });
  assert.deepEqual(decide(undefined, undefined, 'true', false), { optOut: false });
  assert.deepEqual(decide(undefined, undefined, 'false'), { optOut: true, by: 'namespace' });
  assert.deepEqual(decide(undefined, 'true', 'false'), { optOut: false });
  assert.deepEqual(decide('false', 'true', 'true'), { optOut: true, by: 'template' });
  assert.deepEqual(decide('true', 'false', 'false', false), { optOut: false });
  // An invalid value decides nothing (the settings' validation reports it): the next layer does.
  assert.deepEqual(decide('maybe', undefined, 'false'), { optOut: true, by: 'namespace' });
});

test('a Namespace annotated "false": its workloads and Pods are left alone, no patch', () => {
  for (const object of [
    deployment(),
    { ...deployment(), kind: 'Pod', apiVersion: 'v1', spec: deployment().spec.template.spec },
  ]) {
    const result = admit(input(object, { [INJECT]: 'false' }));
    assert.equal(result.outcome, 'skipped', object.kind);
    assert.equal(result.reason, 'opted out (Namespace annotation)');
    assert.deepEqual(result.patch, []);
  }
});

test('cluster defaults.inject "false": left alone, unless the Namespace or the object says "true"', () => {
  assert.equal(admit(input(deployment(), {}, OFF_BY_DEFAULT)).reason, 'opted out (cluster defaults.inject)');
  assert.equal(admit(input(deployment(), { [INJECT]: 'true' }, OFF_BY_DEFAULT)).outcome, 'mutated');
  assert.equal(admit(input(deployment({ [INJECT]: 'true' }), {}, OFF_BY_DEFAULT)).outcome, 'mutated');
  assert.equal(admit(input(deployment({}, { [INJECT]: 'true' }), {}, OFF_BY_DEFAULT)).outcome, 'mutated');
});

test('a workload opted back in carries it to its ReplicaSet and Pods, which stay injected', () => {
  const ns = { [INJECT]: 'false' };
  const stored = admit(input(deployment({ [INJECT]: 'true' }), ns)).object as Obj;
  const template = stored.spec.template;
  assert.equal(JSON.parse(template.metadata.annotations['gracekeeper.io/injected']).workload[INJECT], 'true');
  // The ReplicaSet the Deployment controller makes: the template as it is, the Deployment's annotations.
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-1', namespace: 'shop', ownerReferences: [{ controller: true, kind: 'Deployment', name: 'web' }] },
    spec: { selector: stored.spec.selector, template: structuredClone(template) },
  };
  assert.deepEqual(admit(input(rs, ns)).patch, [], 'the ReplicaSet is left as its Deployment made it');
  // The Pod the ReplicaSet makes: the template's metadata and spec.
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1-x', namespace: 'shop', ...structuredClone(template.metadata) },
    spec: structuredClone(template.spec),
  };
  const result = admit(input(pod, ns));
  assert.notEqual(result.outcome, 'skipped', result.reason);
  assert.deepEqual(result.patch, [], 'the Pod keeps what its template has');
});

test('a Namespace that opts out later: the next UPDATE takes back what gracekeeper added', () => {
  const original = deployment();
  const stored = admit(input(structuredClone(original), {})).object as Obj;
  assert.ok(stored.spec.template.metadata.annotations['gracekeeper.io/injected']);
  const result = admit(input(structuredClone(stored), { [INJECT]: 'false' }, DEFAULT_CLUSTER_SETTINGS, 'UPDATE'));
  const back = fastJsonPatch.applyPatch(structuredClone(stored), structuredClone(result.patch), true, false).newDocument;
  assert.deepEqual(back, original);
});
