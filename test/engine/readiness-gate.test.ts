// No readiness probe where none belongs: pods that run to completion, and StatefulSets whose peers
// find each other through a headless Service publishing only Ready addresses, started one by one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probes, run, service, workload } from './readiness-helpers.js';

type Obj = Record<string, any>;
const withPort = [{ name: 'app', image: 'a', ports: [{ name: 'http', containerPort: 8080 }] }];
const noPort = [{ name: 'app', image: 'a' }];

test('Job and CronJob pods get no probe and no readiness advice (a Job container with a port got a TCP probe)', () => {
  const job: Obj = { ...workload('Job', withPort), apiVersion: 'batch/v1' };
  job.spec.template.spec.restartPolicy = 'Never';
  delete job.spec.selector;
  const r = run(job);
  assert.deepEqual(probes(r), { app: '-' });
  assert.deepEqual(r.warnings, []);
  const cron: Obj = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      schedule: '@daily',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: noPort } } } },
    },
  };
  const c = run(cron);
  assert.deepEqual(probes(c), { app: '-' });
  assert.deepEqual(c.warnings, [], 'no "no TCP port; set readiness-port" advice');
});

test('a Pod a Job owns, or with restartPolicy Never or OnFailure, gets no probe', () => {
  const pod = (spec: Obj, meta: Obj = {}): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop', labels: { app: 'web' }, ...meta },
    spec: { containers: withPort, ...spec },
  });
  const owned = { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u', controller: true }] };
  assert.deepEqual(probes(run(pod({}, owned))), { app: '-' });
  assert.deepEqual(probes(run(pod({ restartPolicy: 'Never' }))), { app: '-' });
  assert.deepEqual(probes(run(pod({ restartPolicy: 'OnFailure' }))), { app: '-' });
  assert.deepEqual(probes(run(pod({ restartPolicy: 'Always' }))), { app: 8080 });
  // Its Service is no reason either: nothing routes to a pod that runs to completion.
  assert.deepEqual(probes(run(pod({ restartPolicy: 'Never' }), [service('web', [{ port: 80, targetPort: 8080 }])])), {
    app: '-',
  });
});

const peers = (spec: Obj = {}) => service('peers', [{ port: 8080 }], { clusterIP: 'None', ...spec });
const sts = (extra: Obj = {}, annotations: Obj = {}) =>
  workload('StatefulSet', withPort, { serviceName: 'peers', ...extra }, annotations);

test('StatefulSet, headless governing Service, OrderedReady: no new probe, one warning naming both settings', () => {
  const r = run(sts(), [peers()]);
  assert.deepEqual(probes(r), { app: '-' });
  // Beside the sleep's size (the headless Service sizes pre-stop-sleep auto), one warning about the probe.
  const about = (w: readonly string[]) => w.filter((t) => !t.startsWith('pre-stop-sleep auto:'));
  assert.equal(about(r.warnings).length, 1, r.warnings.join('\n'));
  assert.match(about(r.warnings)[0], /publishNotReadyAddresses.*podManagementPolicy OrderedReady/);
  assert.ok(about(r.warnings)[0].length < 120);
  // The same with OrderedReady written out, and with a name too long for the line.
  assert.deepEqual(probes(run(sts({ podManagementPolicy: 'OrderedReady' }), [peers()])), { app: '-' });
  const long = 'p'.repeat(63);
  const l = run({ ...sts(), spec: { ...sts().spec, serviceName: long } }, [
    { ...peers(), metadata: { name: long, namespace: 'shop' } },
  ]);
  assert.match(about(l.warnings)[0], /publishNotReadyAddresses; podManagementPolicy is OrderedReady$/);
  assert.ok(about(l.warnings)[0].length < 120);
});

test('what opts back in: publishNotReadyAddresses, Parallel, a Service that is not headless, an explicit readiness-port', () => {
  assert.deepEqual(probes(run(sts(), [peers({ publishNotReadyAddresses: true })])), { app: 8080 });
  assert.deepEqual(probes(run(sts({ podManagementPolicy: 'Parallel' }), [peers()])), { app: 8080 });
  assert.deepEqual(probes(run(sts(), [service('peers', [{ port: 8080 }])])), { app: 8080 });
  const optIn = run(sts({}, { 'gracekeeper.io/readiness-port': 'http' }), [peers()]);
  assert.deepEqual(probes(optIn), { app: 8080 });
  // Only the sleep's size (the headless Service's DNS), nothing about the probe.
  assert.deepEqual(
    optIn.warnings.map((w) => w.replace(/ for .*/, '')),
    ['pre-stop-sleep auto: 35s'],
  );
  // A Namespace-wide readiness-port is no opt-in for this StatefulSet.
  const ns = run(sts(), [peers()], { namespaceAnnotations: { 'gracekeeper.io/readiness-port': 'http' } });
  assert.deepEqual(probes(ns), { app: '-' });
});

test('governing Service not known: no new probe, and a warning saying what to set', () => {
  const r = run(sts());
  assert.deepEqual(probes(r), { app: '-' });
  assert.deepEqual(r.warnings, [
    'no readiness probe: governing Service "peers" not seen; set gracekeeper.io/readiness-port to add one',
  ]);
  // No serviceName: no peers by DNS, the usual rule.
  const none = sts();
  delete none.spec.serviceName;
  assert.deepEqual(probes(run(none)), { app: 8080 });
});

test('a Pod of such a StatefulSet at CREATE (spec.subdomain): the same decision; its template’s probe when one was allowed', () => {
  const owner = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] };
  const podOf = (template: Obj): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name: 'web-0', namespace: 'shop', ...owner },
    spec: { ...template.spec, hostname: 'web-0', subdomain: 'peers' },
  });
  // Made without a record (targets: pods): no probe, the warning.
  const bare = run(podOf(sts().spec.template), [peers()]);
  assert.deepEqual(probes(bare), { app: '-' });
  assert.equal(bare.warnings.length, 1);
  // From a Parallel StatefulSet's mutated template: its probe stays.
  const parallel = (run(sts({ podManagementPolicy: 'Parallel' }), [peers()]).object as Obj).spec.template;
  assert.deepEqual(probes(run(podOf(parallel), [peers()])), { app: 8080 });
  // From an OrderedReady one's: still none.
  const ordered = (run(sts(), [peers()]).object as Obj).spec.template;
  assert.deepEqual(probes(run(podOf(ordered), [peers()])), { app: '-' });
});
