// Workload-level annotations reach the Pods: through the record of a mutated template, through a
// controller-made workload (a CronJob's Job), and, with no record (targets: pods), through the
// owner annotations the edge reads from the Pod's owner chain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admit } from '../../src/engine/admit.js';
import { ownerToLookUp } from '../../src/engine/owner.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';

type Obj = Record<string, any>;
const P = 'gracekeeper.io/';

const container = { name: 'app', image: 'a', ports: [{ containerPort: 8080 }] };
const podOf = (owner?: Obj, annotations?: Obj): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'shop',
    ...(owner ? { ownerReferences: [owner] } : {}),
    ...(annotations ? { annotations } : {}),
  },
  spec: { containers: [structuredClone(container)] },
});
const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4', uid: 'u', controller: true };

function input(kind: AdmissionInput['kind'], object: Obj, extra: Partial<AdmissionInput> = {}): AdmissionInput {
  return {
    kind,
    operation: 'CREATE',
    namespace: 'shop',
    object,
    namespaceAnnotations: {},
    cluster: DEFAULT_CLUSTER_SETTINGS,
    ...extra,
  };
}
const POD = { group: '', version: 'v1', kind: 'Pod' };
const sleepOf = (o: Obj) => (o.spec.containers ?? o.spec.template.spec.containers)[0].lifecycle?.preStop?.sleep?.seconds;

test('ownerToLookUp: a Pod CREATE without a record, controlled by a known kind, and nothing else', () => {
  assert.deepEqual(ownerToLookUp({ kind: POD, operation: 'CREATE', object: podOf(rsOwner) }), {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: 'web-5d4',
    uid: 'u',
  });
  assert.equal(ownerToLookUp({ kind: POD, operation: 'CREATE', object: podOf() }), undefined, 'no owner');
  assert.equal(ownerToLookUp({ kind: POD, operation: 'CREATE', object: podOf({ ...rsOwner, controller: false }) }), undefined);
  assert.equal(ownerToLookUp({ kind: POD, operation: 'CREATE', object: podOf({ ...rsOwner, kind: 'Foo' }) }), undefined);
  assert.equal(ownerToLookUp({ kind: POD, operation: 'CREATE', object: podOf(rsOwner, { [`${P}injected`]: '{}' }) }), undefined);
  assert.equal(ownerToLookUp({ kind: POD, operation: 'UPDATE', object: podOf(rsOwner) }), undefined);
});

test("a Pod with no record takes its owner's annotations, below its own", () => {
  const owned = admit(input(POD, podOf(rsOwner), { ownerAnnotations: { [`${P}pre-stop-sleep`]: '9' } }));
  assert.equal(sleepOf(owned.object as Obj), 9);
  const record = JSON.parse((owned.object as Obj).metadata.annotations[`${P}injected`]);
  assert.deepEqual(record.workload, { [`${P}pre-stop-sleep`]: '9' });
  const own = admit(
    input(POD, podOf(rsOwner, { [`${P}pre-stop-sleep`]: '3' }), { ownerAnnotations: { [`${P}pre-stop-sleep`]: '9' } }),
  );
  assert.equal(sleepOf(own.object as Obj), 3, "the Pod's own annotation wins");
  assert.equal(sleepOf(admit(input(POD, podOf(rsOwner))).object as Obj), 5, 'without owner annotations: the default');
});

test("a CronJob's annotations survive its Job's admission and reach the Job's Pods", () => {
  const cronJob: Obj = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'shop', annotations: { [`${P}pre-stop-sleep`]: '11' } },
    spec: {
      schedule: '@daily',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } } },
    },
  };
  const storedCron = admit(input({ group: 'batch', version: 'v1', kind: 'CronJob' }, cronJob)).object as Obj;
  const template = storedCron.spec.jobTemplate.spec.template;
  assert.equal(template.spec.containers[0].lifecycle.preStop.sleep.seconds, 11);
  // The CronJob controller makes the Job from jobTemplate, owned by the CronJob.
  const job: Obj = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'nightly-1',
      namespace: 'shop',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'c', controller: true }],
    },
    spec: { template: structuredClone(template) },
  };
  const jobResult = admit(input({ group: 'batch', version: 'v1', kind: 'Job' }, job));
  assert.equal(jobResult.patch.length, 0, 'the Job needs no patch: its template is as its CronJob had it');
  const pod = { ...structuredClone(template), apiVersion: 'v1', kind: 'Pod' };
  pod.metadata = { ...pod.metadata, name: 'nightly-1-x', namespace: 'shop' };
  assert.equal(admit(input(POD, pod)).patch.length, 0, 'nor does its Pod');
  // A Job of its own (no controller) does not inherit what its template's record says.
  const own = admit(
    input({ group: 'batch', version: 'v1', kind: 'Job' }, { ...job, metadata: { name: 'j', namespace: 'shop' } }),
  );
  assert.equal(sleepOf(own.object as Obj), 5);
});
