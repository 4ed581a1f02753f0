// The engine reads an unset terminationGracePeriodSeconds as the API server's default (30), which
// the API server writes into every pod spec before admission: `gracekeeper mutate` on a manifest
// and the webhook on the object the API server hands it decide and record the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admit } from '../../src/engine/admit.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import type { AdmissionInput } from '../../src/engine/types.js';

type Obj = Record<string, any>;

const KINDS = {
  Pod: { group: '', version: 'v1', kind: 'Pod' },
  Deployment: { group: 'apps', version: 'v1', kind: 'Deployment' },
  CronJob: { group: 'batch', version: 'v1', kind: 'CronJob' },
} as const;

function podSpec(grace: number | undefined): Obj {
  return {
    ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }),
    containers: [{ name: 'app', image: 'a', ports: [{ containerPort: 8080 }] }],
  };
}

function object(kind: keyof typeof KINDS, grace: number | undefined, annotations: Record<string, string> = {}): Obj {
  const meta = { name: 'web', namespace: 'shop', annotations };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: meta, spec: podSpec(grace) };
  const template = { metadata: { labels: { app: 'web' } }, spec: podSpec(grace) };
  if (kind === 'Deployment') return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: {}, template } };
  return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } };
}

function run(kind: keyof typeof KINDS, obj: Obj): ReturnType<typeof admit> {
  const input: AdmissionInput = {
    kind: KINDS[kind],
    operation: 'CREATE',
    namespace: 'shop',
    object: obj,
    namespaceAnnotations: {},
    cluster: DEFAULT_CLUSTER_SETTINGS,
  };
  return admit(input);
}

const recordOf = (out: Obj): unknown => {
  const meta = out.kind === 'Pod' ? out.metadata : (out.spec.template ?? out.spec.jobTemplate.spec.template).metadata;
  return JSON.parse(meta.annotations['gracekeeper.io/injected']);
};

for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
  test(`${kind}: no grace period and the API server's 30 give the same record`, () => {
    const variants: Record<string, string>[] = [{}, { 'gracekeeper.io/drain-timeout': '40s' }];
    for (const annotations of variants) {
      const unset = run(kind, object(kind, undefined, annotations));
      const defaulted = run(kind, object(kind, 30, annotations));
      assert.equal(unset.outcome, 'mutated');
      assert.deepEqual(recordOf(unset.object as Obj), recordOf(defaulted.object as Obj), JSON.stringify(annotations));
      assert.deepEqual(unset.changes, defaulted.changes);
    }
  });
}

test('sleep + drain within 30 s: the grace period is neither written nor recorded', () => {
  const out = run('Deployment', object('Deployment', undefined)).object as Obj;
  assert.equal(out.spec.template.spec.terminationGracePeriodSeconds, undefined);
  assert.equal((recordOf(out) as Obj).terminationGracePeriodSeconds, undefined);
});

test('above 30 s: written, and recorded as from 30 (what the API server had set)', () => {
  const out = run('Pod', object('Pod', undefined, { 'gracekeeper.io/drain-timeout': '40s' })).object as Obj;
  assert.equal(out.spec.terminationGracePeriodSeconds, 45);
  assert.deepEqual((recordOf(out) as Obj).terminationGracePeriodSeconds, { from: 30, to: 45 });
});

test('a grace period the user wrote below 30 is still the one read', () => {
  const out = run('Pod', object('Pod', 10)).object as Obj;
  assert.equal(out.spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual((recordOf(out) as Obj).terminationGracePeriodSeconds, { from: 10, to: 30 });
});
