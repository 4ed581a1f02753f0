// The audit's outcomes for pods already deleted: the kubelet's Events outlive them, and the pod's
// name says its workload (src/audit/gone-pods.ts). Seen on a real kubelet (make outcomes-proof):
// a FailedPreStopHook of a deleted Deployment pod was in the Events, and the audit said nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workloadOfGonePod } from '../../src/audit/gone-pods.js';
import { auditOutcomes } from '../../src/audit/outcomes.js';

const W = [
  { kind: 'Deployment', name: 'web' },
  { kind: 'Deployment', name: 'web-api' },
  { kind: 'StatefulSet', name: 'db' },
  { kind: 'DaemonSet', name: 'agent' },
  { kind: 'Job', name: 'migrate' },
  { kind: 'CronJob', name: 'report' },
];

test("each controller's pod names, and only those", () => {
  assert.deepEqual(workloadOfGonePod('web-7d9f8c6b5-x2k4q', W), W[0]);
  assert.deepEqual(workloadOfGonePod('web-api-5c8d7-abcde', W), W[1], 'the longest name that fits');
  assert.deepEqual(workloadOfGonePod('db-0', W), W[2]);
  assert.deepEqual(workloadOfGonePod('agent-9zq2m', W), W[3]);
  assert.deepEqual(workloadOfGonePod('migrate-h7k2p', W), W[4]);
  assert.deepEqual(workloadOfGonePod('report-29421440-h7k2p', W), W[5]);
  for (const name of ['web', 'web-7d9f8c6b5', 'web-x2k4q-extra-x2k4q', 'db-a', 'agent-9zq2m-1', 'other-7d9f8-x2k4q']) {
    assert.equal(workloadOfGonePod(name, W), undefined, name);
  }
});

test('a FailedPreStopHook of a deleted pod counts for its workload; an unknown one for nothing', () => {
  const event = (pod: string) => ({
    metadata: { namespace: 'shop' },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, uid: `uid-${pod}`, fieldPath: 'spec.containers{app}' },
    reason: 'FailedPreStopHook',
    count: 1,
  });
  const lookup = auditOutcomes([], [event('web-7d9f8c6b5-x2k4q'), event('stranger-1')], Date.now(), new Map([['shop', W]]));
  const web = lookup('shop', { kind: 'Deployment', name: 'web' });
  assert.equal(web?.hookFailed, 1);
  assert.equal(lookup('shop', { kind: 'Deployment', name: 'web-api' }), undefined);
  // Without the workloads (as before): nothing.
  assert.equal(auditOutcomes([], [event('web-7d9f8c6b5-x2k4q')], Date.now())('shop', W[0]), undefined);
});
