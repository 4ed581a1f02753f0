// Engine behaviour beyond single manifests: scope, operations, UPDATE semantics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admit } from '../../src/engine/admit.js';
import { clip } from '../../src/kube/clip.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { assertAcceptable } from './api-rules.js';
import * as fixtures from '../fixtures.js';

type Obj = Record<string, any>;

const deployment = (templateAnnotations: Record<string, string> = {}): Obj => fixtures.deployment({ templateAnnotations });

function input(object: Obj, extra: Partial<AdmissionInput> = {}): AdmissionInput {
  return {
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    operation: 'CREATE',
    namespace: 'shop',
    object,
    namespaceAnnotations: {},
    cluster: DEFAULT_CLUSTER_SETTINGS,
    ...extra,
  };
}

test('out of scope: other kinds, DELETE, CONNECT, subresources, excluded and own namespaces', () => {
  const obj = deployment();
  assert.equal(admit(input(obj, { kind: { group: '', version: 'v1', kind: 'Service' } })).reason, 'kind not handled');
  assert.equal(admit(input(obj, { operation: 'DELETE' })).reason, 'operation not handled');
  assert.equal(admit(input(obj, { subResource: 'scale', operation: 'UPDATE' })).reason, 'subresource');
  assert.equal(
    admit(input(obj, { kind: { group: 'batch', version: 'v1', kind: 'Job' }, operation: 'UPDATE' })).reason,
    'operation not handled',
  );
  assert.equal(
    admit(input(obj, { kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'UPDATE' })).reason,
    'operation not handled',
  );
  for (const ns of ['kube-system', 'kube-public', 'kube-node-lease', 'gracekeeper']) {
    assert.equal(admit(input(obj, { namespace: ns })).reason, 'namespace excluded');
  }
  assert.equal(admit(input({ kind: 'Deployment' })).reason, 'no pod spec');
});

test('UPDATE: changing an annotation changes what gracekeeper wrote, not stacks on it', () => {
  const first = admit(input(deployment()));
  assert.equal(first.outcome, 'mutated');
  const stored = first.object as Obj;
  const edited = structuredClone(stored);
  edited.spec.template.metadata.annotations['gracekeeper.io/pre-stop-sleep'] = '12s';
  edited.spec.template.metadata.annotations['gracekeeper.io/readiness-path'] = '/ready';
  const second = admit(input(edited, { operation: 'UPDATE' }));
  const c = (second.object as Obj).spec.template.spec.containers[0];
  assert.deepEqual(c.lifecycle.preStop, { sleep: { seconds: 12 } });
  assert.equal(c.readinessProbe.httpGet.path, '/ready');
  assert.equal((second.object as Obj).spec.template.spec.terminationGracePeriodSeconds, 37);
  assertAcceptable(second.object as Obj);
});

test("UPDATE: a probe the user wrote over gracekeeper's is the user's and is kept", () => {
  const stored = admit(input(deployment())).object as Obj;
  const edited = structuredClone(stored);
  const mine = { httpGet: { path: '/mine', port: 8080 }, periodSeconds: 9 };
  edited.spec.template.spec.containers[0].readinessProbe = mine;
  const result = admit(input(edited, { operation: 'UPDATE' }));
  const out = result.object as Obj;
  assert.deepEqual(out.spec.template.spec.containers[0].readinessProbe, mine);
  const record = JSON.parse(out.spec.template.metadata.annotations['gracekeeper.io/injected']);
  assert.deepEqual(record.kept, { readinessProbe: ['app'] });
});

test('UPDATE of an already-mutated object with the same settings gives no patch (no rollout)', () => {
  const stored = admit(input(deployment({ 'gracekeeper.io/startup-timeout': '1m' }))).object as Obj;
  const again = admit(input(structuredClone(stored), { operation: 'UPDATE' }));
  assert.equal(again.outcome, 'unchanged');
  assert.deepEqual(again.patch, []);
});

test('a tampered or foreign record is treated as no record', () => {
  const obj = deployment({ 'gracekeeper.io/injected': '{not json' });
  const result = admit(input(obj));
  assert.equal(result.outcome, 'mutated');
  const record = JSON.parse((result.object as Obj).spec.template.metadata.annotations['gracekeeper.io/injected']);
  assert.equal(record.version, 1);
});

test('denial names every bad key; with invalidAnnotations: warn it admits with warnings', () => {
  const bad = deployment({ 'gracekeeper.io/pre-stop-sleep': 'soon', 'gracekeeper.io/readiness': 'always' });
  const denied = admit(input(bad));
  assert.equal(denied.outcome, 'denied');
  assert.match(denied.denial!, /pre-stop-sleep="soon".*readiness="always"/);
  assert.equal(denied.patch.length, 0);
  assert.equal(denied.invalidAnnotations, 2);
  const warned = admit(input(bad, { cluster: { ...DEFAULT_CLUSTER_SETTINGS, invalidAnnotations: 'warn' } }));
  assert.equal(warned.outcome, 'mutated');
  assert.equal(warned.warnings.length, 2);
});

test('the API-server rules used by the property tests do reject bad objects', () => {
  const good = admit(input(deployment())).object as Obj;
  assertAcceptable(good);
  const twoHandlers = structuredClone(good);
  twoHandlers.spec.template.spec.containers[0].lifecycle.preStop.exec = { command: ['x'] };
  assert.throws(() => assertAcceptable(twoHandlers), /exactly one handler/);
  const longSleep = structuredClone(good);
  longSleep.spec.template.spec.terminationGracePeriodSeconds = 3;
  assert.throws(() => assertAcceptable(longSleep), /outlasts/);
  const badPort = structuredClone(good);
  badPort.spec.template.spec.containers[0].readinessProbe.tcpSocket.port = 70000;
  assert.throws(() => assertAcceptable(badPort), /port 70000/);
  const schema = structuredClone(good);
  schema.spec.template.spec.containers[0].readinessProbe.periodSeconds = 'five';
  assert.throws(() => assertAcceptable(schema));
});

test('clip: every warning becomes a printable single line under 120 characters', () => {
  assert.equal(clip('a\nb\u0007\tc'), 'a b c');
  const long = clip(`unknown annotation gracekeeper.io/${'z'.repeat(300)}`);
  assert.equal(long.length, 119);
  assert.ok(long.endsWith('…'));
  assert.equal(clip('short'), 'short');
});

test('initContainers that is not a list is no pod spec (skipped, no throw); null counts as none', () => {
  const pod = (initContainers: unknown) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'app', image: 'a', ports: [{ containerPort: 80 }] }], initContainers },
  });
  const kind = { group: '', version: 'v1', kind: 'Pod' };
  for (const bad of [{}, 'x', 3, { name: 'i' }]) {
    assert.equal(admit(input(pod(bad), { kind })).reason, 'no pod spec', JSON.stringify(bad));
  }
  assert.equal(admit(input(pod(null), { kind })).outcome, 'mutated');
});
