// The webhook refines what the in-process baseline wrote: the baseline's mark reads as an earlier
// record, so its sleep and grace period are gracekeeper's own to resize and to take back, and the
// stored object comes out as if the baseline had never run. (On a real API server, with the policy
// itself: test/e2e/baseline.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import { BASELINE_KEY, markAsRecord, readMark } from '../../src/engine/record/mark.js';
import { admit } from '../../src/engine/admit.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';

type Obj = Record<string, any>;

function pod(annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop', annotations },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [
        { name: 'app', image: 'a', ports: [{ containerPort: 8080 }] },
        { name: 'side', image: 'b', lifecycle: { preStop: { exec: { command: ['drain'] } } } },
      ],
    },
  };
}

/** What the policy writes on pod() with these settings: the sleep on `app`, the grace period, the mark. */
function withBaseline(object: Obj, sleep: number, grace?: [number, number]): Obj {
  const out = structuredClone(object);
  out.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: sleep } } };
  if (grace) out.spec.terminationGracePeriodSeconds = grace[1];
  out.metadata.annotations[BASELINE_KEY] = `preStop=app sleep=${sleep}${grace ? ` grace=${grace[0]}>${grace[1]}` : ''}`;
  return out;
}

function create(object: Obj, cluster = DEFAULT_CLUSTER_SETTINGS): AdmissionInput {
  return {
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'shop',
    object,
    cluster,
    namespaceAnnotations: {},
  };
}

function applied(object: Obj, result: ReturnType<typeof admit>): Obj {
  return fastJsonPatch.applyPatch(structuredClone(object), structuredClone(result.patch), true, false).newDocument;
}

test('the mark reads back; anything malformed is no mark', () => {
  assert.deepEqual(readMark({ [BASELINE_KEY]: 'preStop=app,web sleep=5 grace=30>35' }), {
    preStop: ['app', 'web'],
    sleep: 5,
    grace: { from: 30, to: 35 },
  });
  assert.deepEqual(readMark({ [BASELINE_KEY]: 'grace=20>30' }), { preStop: [], sleep: 0, grace: { from: 20, to: 30 } });
  for (const bad of ['', 'preStop=App sleep=5', 'sleep=5', 'preStop=a sleep=x', 'grace=30', 'x=1', 'preStop=a'.repeat(5000)])
    assert.equal(readMark({ [BASELINE_KEY]: bad }), undefined, bad.slice(0, 40));
  const record = markAsRecord({ preStop: ['app'], sleep: 5, grace: { from: 30, to: 35 } });
  assert.deepEqual(record.added.preStop, ['app']);
  assert.deepEqual(record.terminationGracePeriodSeconds, { from: 30, to: 35 });
});

test("with the webhook up, the stored object is the webhook's own output, the mark gone", () => {
  const cases: Array<[string, Obj, Obj]> = [
    ['the default sleep', pod(), withBaseline(pod(), 5)],
    [
      'a longer explicit sleep and a raised grace period',
      pod({ 'gracekeeper.io/pre-stop-sleep': '20s' }),
      withBaseline(pod({ 'gracekeeper.io/pre-stop-sleep': '20s' }), 20, [30, 45]),
    ],
  ];
  for (const [name, pristine, baselined] of cases) {
    const direct = admit(create(pristine));
    const refined = admit(create(baselined));
    const stored = applied(baselined, refined);
    assert.deepEqual(stored, applied(pristine, direct), name);
    assert.equal(stored.metadata.annotations[BASELINE_KEY], undefined, `${name}: the mark is gone`);
    assert.deepEqual(admit(create(stored)).patch, [], `${name}: a second pass yields no patch`);
  }
});

test("auto sizing resizes the baseline sleep: it is gracekeeper-owned, not the user's", () => {
  // A LoadBalancer Service of the AWS Load Balancer Controller in front of the pod: auto sizes above 5 s.
  const service = {
    name: 'web',
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Cluster',
    loadBalancerClass: 'service.k8s.aws/nlb',
    annotations: { 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' },
  };
  const input = (o: Obj): AdmissionInput => ({
    ...create(o),
    traffic: { services: [{ service, ingresses: [], routes: [] }] },
  });
  const baselined = withBaseline(pod(), 5);
  const stored = applied(baselined, admit(input(baselined)));
  const direct = applied(pod(), admit(input(pod())));
  assert.ok(direct.spec.containers[0].lifecycle.preStop.sleep.seconds > 5, 'the path sizes the sleep above the baseline');
  assert.deepEqual(stored, direct);
});

test('a sleep the user changed after the baseline wrote it is theirs: kept', () => {
  const baselined = withBaseline(pod(), 5);
  baselined.spec.containers[0].lifecycle.preStop.sleep.seconds = 9;
  const stored = applied(baselined, admit(create(baselined)));
  assert.deepEqual(stored.spec.containers[0].lifecycle.preStop, { sleep: { seconds: 9 } });
  assert.equal(stored.metadata.annotations[BASELINE_KEY], undefined);
});

test('opting out takes back exactly what the baseline wrote', () => {
  const baselined = withBaseline(pod({ 'gracekeeper.io/pre-stop-sleep': '20s' }), 20, [30, 45]);
  baselined.metadata.annotations['gracekeeper.io/inject'] = 'false';
  const result = admit(create(baselined));
  const stored = applied(baselined, result);
  const expected = pod({ 'gracekeeper.io/pre-stop-sleep': '20s', 'gracekeeper.io/inject': 'false' });
  assert.deepEqual(stored, expected);
  assert.deepEqual(admit(create(stored)).patch, []);
});

test("a ReplicaSet its Deployment made with only the baseline stays its controller's copy", () => {
  const template = withBaseline(pod(), 5);
  const rs: Obj = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-1',
      namespace: 'shop',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }],
    },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: template.metadata, spec: template.spec } },
  };
  const result = admit({ ...create(rs), kind: { group: 'apps', version: 'v1', kind: 'ReplicaSet' } });
  assert.deepEqual(result.patch, []);
});
