// The record stays readable whatever a workload holds: it carries only valid settings and a few
// short unknown keys of the workload's annotations (never a huge value), and a big record (one per
// container) is read back. Otherwise every ReplicaSet made from the template would be rewritten
// on admission, and the Deployment controller would make another, and another.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admit } from '../../src/engine/admit.js';
import { RECORD_KEY } from '../../src/settings/keys.js';
import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings } from '../../src/settings/cluster-settings.js';
import * as fixtures from '../fixtures.js';

type Obj = Record<string, any>;
const P = 'gracekeeper.io/';

function deployment(annotations: Record<string, string>, containers = 1, nameLength = 3): Obj {
  const name = (i: number) => `c${String(i).padStart(nameLength - 1, '0')}`;
  return fixtures.deployment({
    annotations,
    containers: Array.from({ length: containers }, (_, i) => fixtures.container(name(i))),
  });
}

function admitAs(kind: 'Deployment' | 'ReplicaSet' | 'Pod', object: Obj, cluster: ClusterSettings = DEFAULT_CLUSTER_SETTINGS) {
  const group = kind === 'Pod' ? '' : 'apps';
  return admit({
    kind: { group, version: 'v1', kind },
    operation: 'CREATE',
    namespace: 'shop',
    object,
    namespaceAnnotations: {},
    cluster,
  });
}

/** The ReplicaSet the Deployment controller makes from a stored Deployment (it copies the annotations). */
function replicaSetOf(d: Obj): Obj {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { ...d.metadata, name: 'web-1' }, spec: d.spec };
}

function podOf(d: Obj): Obj {
  const t = d.spec.template as Obj;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1-a', namespace: 'shop', ...t.metadata }, spec: t.spec };
}

test('a huge unknown annotation on a workload is not copied into the record; its ReplicaSet and Pod need no patch', () => {
  const d = admitAs('Deployment', deployment({ [`${P}pre-stop-slep`]: 'x'.repeat(70_000), [`${P}pre-stop-sleep`]: '9s' }));
  assert.equal(d.outcome, 'mutated');
  const stored = d.object as Obj;
  const record = stored.spec.template.metadata.annotations[RECORD_KEY] as string;
  assert.ok(record.length < 1000, `record of ${record.length} characters`);
  assert.deepEqual(JSON.parse(record).workload, { [`${P}pre-stop-sleep`]: '9s' });
  assert.equal(admitAs('ReplicaSet', replicaSetOf(stored)).patch.length, 0, "the ReplicaSet's admission changes nothing");
  assert.equal(admitAs('Pod', podOf(stored)).patch.length, 0, "the Pod's admission changes nothing");
});

test('short unknown keys are still carried (a record stays as it was); at most 16 of them', () => {
  const few = admitAs('Deployment', deployment({ [`${P}pre-stop-slep`]: '9s' })).object as Obj;
  assert.deepEqual(JSON.parse(few.spec.template.metadata.annotations[RECORD_KEY] as string).workload, {
    [`${P}pre-stop-slep`]: '9s',
  });
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${P}typo-${i}`, 'v']));
  const d = admitAs('Deployment', deployment(many)).object as Obj;
  assert.equal(Object.keys(JSON.parse(d.spec.template.metadata.annotations[RECORD_KEY] as string).workload).length, 16);
});

test('invalid values are not carried, even where they are only warned about', () => {
  const warn: ClusterSettings = { ...DEFAULT_CLUSTER_SETTINGS, invalidAnnotations: 'warn' };
  const bad = Object.fromEntries(
    ['pre-stop-sleep', 'drain-timeout', 'readiness-path', 'containers'].map((k) => [`${P}${k}`, '\u0001'.repeat(2049)]),
  );
  const d = admitAs('Deployment', deployment({ ...bad, [`${P}readiness`]: 'tcp' }), warn);
  assert.equal(d.outcome, 'mutated');
  assert.equal(d.invalidAnnotations, 4);
  const stored = d.object as Obj;
  const record = stored.spec.template.metadata.annotations[RECORD_KEY] as string;
  assert.deepEqual(JSON.parse(record).workload, { [`${P}readiness`]: 'tcp' });
  assert.equal(admitAs('ReplicaSet', replicaSetOf(stored), warn).patch.length, 0);
});

test('a record over 64 KiB (300 containers with long names) is read back: the ReplicaSet needs no patch', () => {
  // readiness-port: every container gets a probe (without it, only the main one), so each has two entries.
  const d = admitAs('Deployment', deployment({ [`${P}readiness-port`]: '8080' }, 300, 60));
  const stored = d.object as Obj;
  const record = stored.spec.template.metadata.annotations[RECORD_KEY] as string;
  assert.ok(record.length > 65_536, `record of ${record.length} characters`);
  assert.equal(admitAs('ReplicaSet', replicaSetOf(stored)).patch.length, 0);
  assert.equal(admitAs('Pod', podOf(stored)).patch.length, 0);
});
