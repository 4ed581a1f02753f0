// The audit's classification, pure: the engine run over live objects as the webhook would run it
// now, and what that makes of each (ok, missing, stale, invalid, not-opted-in, excluded).
import assert from 'node:assert/strict';
import { exitStatus } from '../../src/cli/audit-args.js';
import { describe, it } from 'node:test';
import { classify, isOptedIn, type AuditContext, type NamespaceInfo } from '../../src/audit/classify.js';
import { admit } from '../../src/engine/admit.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import { TrafficIndex } from '../../src/traffic/index.js';
import type { TrafficFacts } from '../../src/traffic/types.js';
import * as fixtures from '../fixtures.js';

type Obj = Record<string, any>;
const DEPLOY = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD = { group: '', version: 'v1', kind: 'Pod' };
const OPTED_IN: NamespaceInfo = { labels: { 'gracekeeper.io/inject': 'enabled' }, annotations: {} };
const NOT_OPTED_IN: NamespaceInfo = { labels: {}, annotations: {} };
const NO_TRAFFIC: TrafficFacts = { services: [] };

const deployment = (ns = 'shop', templateAnnotations: Record<string, string> = {}): Obj =>
  fixtures.deployment({
    namespace: ns,
    templateAnnotations,
    podSpec: { terminationGracePeriodSeconds: 30 },
    containers: [{ name: 'web', image: 'i', ports: [{ containerPort: 8080 }] }],
  });

/** Every Namespace as `namespace`, the pods' traffic paths `traffic`, as the audit's view answers them. */
function ctx(namespace: NamespaceInfo, traffic = NO_TRAFFIC): AuditContext {
  const facts = { namespace: () => namespace, kubeVersion: () => ({ major: 1, minor: 34 }), traffic: () => traffic };
  return { facts, cluster: DEFAULT_CLUSTER_SETTINGS };
}

/** The object as gracekeeper would have written it at CREATE. */
function mutated(object: Obj, kind = DEPLOY): Obj {
  const ns = object.metadata.namespace as string;
  return admit({ kind, operation: 'CREATE', namespace: ns, object, namespaceAnnotations: {}, cluster: DEFAULT_CLUSTER_SETTINGS })
    .object as Obj;
}

describe('audit classification', () => {
  it('missing: opted in, no record, and the engine would add the hook and the probe', () => {
    const item = classify(DEPLOY, deployment(), ctx(OPTED_IN));
    assert.equal(item.status, 'missing');
    assert.equal(item.optedIn, true);
    assert.equal(item.record, false);
    assert.deepEqual(item.lacks, ['preStop:web', 'readinessProbe:web']);
    assert.equal(item.reason, 'UPDATE');
  });

  it('ok: what gracekeeper wrote, read back, needs nothing', () => {
    const item = classify(DEPLOY, mutated(deployment()), ctx(OPTED_IN));
    assert.equal(item.status, 'ok');
    assert.equal(item.record, true);
    assert.deepEqual(item.lacks, []);
  });

  it('stale: the record no longer matches the settings (an annotation changed after mutation)', () => {
    const object = mutated(deployment());
    object.spec.template.metadata.annotations['gracekeeper.io/pre-stop-sleep'] = '9';
    const item = classify(DEPLOY, object, ctx(OPTED_IN));
    assert.equal(item.status, 'stale');
    assert.deepEqual(item.lacks, ['preStop:web', 'terminationGracePeriodSeconds:30->34']);
  });

  it('stale: a readiness probe gracekeeper added was removed', () => {
    const object = mutated(deployment());
    delete object.spec.template.spec.containers[0].readinessProbe;
    const item = classify(DEPLOY, object, ctx(OPTED_IN));
    assert.equal(item.status, 'stale');
    assert.deepEqual(item.lacks, ['readinessProbe:web']);
  });

  it('stale: a Namespace setting changed since the workload was admitted', () => {
    const object = mutated(deployment());
    const ns = { ...OPTED_IN, annotations: { 'gracekeeper.io/drain-timeout': '60s' } };
    const item = classify(DEPLOY, object, ctx(ns));
    assert.equal(item.status, 'stale');
    assert.deepEqual(item.lacks, ['terminationGracePeriodSeconds:30->65']);
  });

  it('baseline: only what the in-process baseline wrote (admitted while the webhook was down)', () => {
    const object = deployment();
    object.spec.template.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: 5 } } };
    object.spec.template.metadata.annotations = { 'gracekeeper.io/baseline': 'preStop=web sleep=5' };
    const item = classify(DEPLOY, object, ctx(OPTED_IN));
    assert.equal(item.status, 'baseline');
    assert.equal(item.record, false);
    assert.ok(item.lacks.includes('readinessProbe:web'), item.lacks.join());
    assert.equal(exitStatus([item.status], ['missing']), 3, '--fail-on missing finds it');
    assert.equal(exitStatus([item.status], ['stale']), 0);
  });

  it('not-opted-in: still says what it lacks', () => {
    const item = classify(DEPLOY, deployment(), ctx(NOT_OPTED_IN));
    assert.equal(item.status, 'not-opted-in');
    assert.equal(item.optedIn, false);
    assert.deepEqual(item.lacks, ['preStop:web', 'readinessProbe:web']);
  });

  it('excluded: a system namespace, an opted-out object, targets', () => {
    const system = classify(DEPLOY, deployment('kube-system'), ctx(OPTED_IN));
    assert.deepEqual([system.status, system.reason, system.optedIn], ['excluded', 'namespace excluded', false]);
    const out = deployment();
    out.spec.template.metadata.labels['gracekeeper.io/inject'] = 'disabled';
    assert.deepEqual(
      [classify(DEPLOY, out, ctx(OPTED_IN)).status, classify(DEPLOY, out, ctx(OPTED_IN)).reason],
      ['excluded', 'opted out (label)'],
    );
    const podsOnly = { ...ctx(OPTED_IN), cluster: { ...DEFAULT_CLUSTER_SETTINGS, targets: 'pods' as const } };
    assert.equal(classify(DEPLOY, deployment(), podsOnly).reason, 'targets: pods');
  });

  it('invalid: the webhook would deny the workload, and the denial is kept', () => {
    const item = classify(DEPLOY, deployment('shop', { 'gracekeeper.io/drain-timeout': 'soon' }), ctx(OPTED_IN));
    assert.equal(item.status, 'invalid');
    assert.match(item.denial ?? '', /drain-timeout/);
  });

  it('a bare Pod is run as a CREATE (Pods are admitted at CREATE only); a warning is reported', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'a', image: 'i', command: ['sh', '-c', 'a; b'] }] },
    };
    const item = classify(POD, pod, ctx(OPTED_IN));
    assert.equal(item.reason, 'CREATE');
    assert.equal(item.status, 'missing');
    assert.deepEqual(item.lacks, ['preStop:a']);
    assert.equal(item.warnings.length, 1);
    assert.match(item.warnings[0] ?? '', /stays PID 1/);
    assert.equal(classify(POD, mutated(pod, POD), ctx(OPTED_IN)).status, 'ok');
  });

  it('a shell as process 1 is reported, from the engine, on a workload gracekeeper already mutated', () => {
    const shell = deployment();
    shell.spec.template.spec.containers[0].command = ['sh', '-c', 'migrate && serve'];
    const item = classify(DEPLOY, mutated(shell), ctx(OPTED_IN));
    assert.equal(item.status, 'ok', 'nothing for gracekeeper to change');
    assert.ok(
      item.warnings.some((w) => /sh -c stays PID 1/.test(w) && /exec/.test(w)),
      `the engine's shell warning, with its advice: ${JSON.stringify(item.warnings)}`,
    );
    const plain = classify(DEPLOY, mutated(deployment()), ctx(OPTED_IN));
    assert.ok(!plain.warnings.some((w) => /PID 1/.test(w)), 'and not for a container without one');
  });

  it('traffic: the paths and the delay that decides, from the same index the webhook reads', () => {
    const index = new TrafficIndex();
    index.upsert('Service', {
      metadata: {
        name: 'web',
        namespace: 'shop',
        annotations: {
          'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '5',
        },
      },
      spec: { selector: { app: 'web' }, type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
    });
    const item = classify(DEPLOY, deployment(), ctx(OPTED_IN, index.facts('shop', { app: 'web' })));
    assert.equal(item.traffic.decidedBy, 'Service/web (aws-nlb-instance)');
    assert.equal(item.traffic.family, 'aws-nlb-instance');
    // Health check 5 s x 3, counted once kube-proxy has learnt of the pod's end: + propagationDelay 5 s.
    assert.equal(item.traffic.seconds, 20);
    assert.deepEqual(
      item.traffic.paths.map((p) => [p.object, p.delay, p.seconds]),
      [['Service/web', 15, 20]],
    );
    const none = classify(DEPLOY, deployment(), ctx(OPTED_IN));
    assert.deepEqual([none.traffic.decidedBy, none.traffic.seconds, none.traffic.paths], ['propagationDelay', 5, []]);
  });

  it('opted in: the label, and never in an excluded namespace', () => {
    assert.equal(isOptedIn('shop', OPTED_IN.labels, DEFAULT_CLUSTER_SETTINGS), true);
    assert.equal(isOptedIn('gracekeeper', OPTED_IN.labels, DEFAULT_CLUSTER_SETTINGS), false);
    assert.equal(isOptedIn('shop', { 'gracekeeper.io/inject': 'disabled' }, DEFAULT_CLUSTER_SETTINGS), false);
  });
  it("the start-up half: a load balancer's readiness gate, in use by the Namespace's label or not; the learnt cloud sizes a classless Ingress", () => {
    const index = new TrafficIndex();
    index.upsert('Service', {
      metadata: { name: 'web', namespace: 'shop', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } },
      spec: { selector: { app: 'web' } },
    });
    index.upsert('Ingress', {
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ingressClassName: 'alb', defaultBackend: { service: { name: 'web' } } },
    });
    const facts = index.facts('shop', { app: 'web' });
    const without = classify(DEPLOY, deployment(), ctx(OPTED_IN, facts));
    assert.deepEqual(without.traffic.paths[0]?.readinessGate, {
      inUse: false,
      how: 'label Namespace elbv2.k8s.aws/pod-readiness-gate-inject=enabled',
    });
    assert.equal(without.traffic.seconds, 35);
    assert.ok(
      without.warnings.some((w) => w.includes('gate rollouts on LB health')),
      without.warnings.join('\n'),
    );
    const labelled = { ...OPTED_IN, labels: { ...OPTED_IN.labels, 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } };
    const withGate = classify(DEPLOY, deployment(), ctx(labelled, facts));
    assert.equal(withGate.traffic.paths[0]?.readinessGate?.inUse, true);
    assert.ok(!withGate.warnings.some((w) => w.includes('gate rollouts on LB health')));

    const classless = new TrafficIndex();
    classless.upsert('Service', { metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } });
    classless.upsert('Ingress', {
      metadata: { name: 'web', namespace: 'shop' },
      spec: { defaultBackend: { service: { name: 'web' } } },
    });
    const unknown = classify(DEPLOY, deployment(), ctx(OPTED_IN, classless.facts('shop', { app: 'web' })));
    assert.equal(unknown.traffic.paths[0]?.unknown, true);
    classless.cloud = 'gcp';
    const gke = classify(DEPLOY, deployment(), ctx(OPTED_IN, classless.facts('shop', { app: 'web' })));
    assert.deepEqual([gke.traffic.family, gke.traffic.seconds], ['gke-neg', 60]);
  });
});
