// Opting out after gracekeeper mutated an object: on its UPDATE, gracekeeper takes back exactly
// what its record says it added, keeps what the user wrote, drops the record, and then leaves the
// object alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import { admit } from '../../src/engine/admit.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import * as fixtures from '../fixtures.js';

type Obj = Record<string, any>;

const deployment = (): Obj =>
  fixtures.deployment({
    annotations: { 'gracekeeper.io/min-ready-seconds': '10' },
    templateAnnotations: { team: 'a' },
    containers: [
      fixtures.container(),
      { name: 'side', image: 'b', ports: [{ containerPort: 9090 }], readinessProbe: { tcpSocket: { port: 9090 } } },
    ],
  });

function update(object: Obj): AdmissionInput {
  return {
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    operation: 'UPDATE',
    namespace: 'shop',
    object,
    namespaceAnnotations: {},
    cluster: DEFAULT_CLUSTER_SETTINGS,
  };
}

function applied(object: Obj, result: ReturnType<typeof admit>): Obj {
  return fastJsonPatch.applyPatch(structuredClone(object), structuredClone(result.patch), true, false).newDocument;
}

const optOuts: Array<[string, (o: Obj) => void]> = [
  ['the template annotation', (o) => (o.spec.template.metadata.annotations['gracekeeper.io/inject'] = 'false')],
  ['the template label', (o) => (o.spec.template.metadata.labels['gracekeeper.io/inject'] = 'disabled')],
  ['the workload label', (o) => ((o.metadata.labels ??= {})['gracekeeper.io/inject'] = 'disabled')],
];

for (const [name, optOut] of optOuts) {
  test(`opting out with ${name} takes back everything gracekeeper added, then changes nothing`, () => {
    const original = deployment();
    const stored = admit(update(structuredClone(original))).object as Obj;
    assert.ok(stored.spec.template.metadata.annotations['gracekeeper.io/injected'], 'mutated first');
    assert.equal(stored.spec.minReadySeconds, 10);

    const edited = structuredClone(stored);
    optOut(edited);
    const result = admit(update(edited));
    assert.equal(result.outcome, 'mutated');
    assert.match(result.reason ?? '', /took back/);
    const out = applied(edited, result);
    assert.deepEqual(out, result.object);
    const expected = structuredClone(original);
    optOut(expected);
    assert.deepEqual(out, expected, 'the object as the user wrote it, with the opt-out');
    assert.ok(result.changes.includes('preStop:app') && result.changes.includes('readinessProbe:app'), result.changes.join());

    const again = admit(update(structuredClone(out)));
    assert.equal(again.outcome, 'skipped');
    assert.deepEqual(again.patch, []);
  });
}

test('an opt-out keeps what the user wrote over what gracekeeper had added', () => {
  const stored = admit(update(deployment())).object as Obj;
  const edited = structuredClone(stored);
  const mine = { httpGet: { path: '/mine', port: 8080 }, periodSeconds: 9 };
  edited.spec.template.spec.containers[0].readinessProbe = mine;
  edited.spec.template.spec.terminationGracePeriodSeconds = 45;
  edited.spec.template.metadata.annotations['gracekeeper.io/inject'] = 'false';
  const out = applied(edited, admit(update(edited)));
  const app = out.spec.template.spec.containers[0];
  assert.deepEqual(app.readinessProbe, mine, "the user's probe stays");
  assert.equal(app.lifecycle, undefined, "gracekeeper's preStop goes");
  assert.equal(out.spec.template.spec.terminationGracePeriodSeconds, 45, "the user's grace period stays");
  assert.equal(out.spec.template.metadata.annotations['gracekeeper.io/injected'], undefined, 'no record');
});

test('an opt-out on an object gracekeeper never mutated is skipped, no patch', () => {
  const obj = deployment();
  obj.spec.template.metadata.annotations['gracekeeper.io/inject'] = 'false';
  const result = admit(update(obj));
  assert.equal(result.outcome, 'skipped');
  assert.deepEqual(result.patch, []);
});
