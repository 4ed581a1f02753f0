// `gracekeeper audit` on a real API server: every kind of workload, opted in (mutated through the
// webhook, or applied from `gracekeeper mutate`'s output) and not, missing (created while the
// webhook was gone) and stale (a probe removed, an annotation changed after mutation), read by a
// service account that may only get and list (deploy/audit/rbac.yaml): RBAC proves it read-only.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadClientKubeConfig } from '../../src/cluster/kubeconfig.js';
import { jsonGetter, listAll } from '../../src/cluster/raw-get.js';
import { audit, auditor, auditRole, everyKind, mutatedOffline, nlbService } from './audit-fixtures.js';
import { e2eSkipReason } from './ensure-binaries.js';
import { metricSample, REPO_ROOT } from './gracekeeper.js';
import { eventually, type Obj } from './kube.js';
import { deployment, P } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();

describe('gracekeeper audit on a real API server', { skip: skip ?? false }, () => {
  let env: WebhookEnv;
  let kubeconfig: string;
  const status = new Map<string, Obj>();

  before(
    async () => {
      env = await startWebhookEnv();
      const gk = await env.start('gracekeeper');
      await env.use(gk);
      const { kube } = env;
      const who = await auditor(kube);
      kubeconfig = who.kubeconfig;
      const denied = audit(kubeconfig, ['-A']);
      assert.equal(denied.status, 1, 'unbound, the audit cannot read');
      assert.match(denied.stderr, /forbidden/);
      await who.bind();

      // Through the webhook: every kind, opted in and not; a Service whose NLB sizes the sleep.
      await kube.namespace('audit-in');
      await kube.namespace('audit-out', { optIn: false });
      // The Services first (the NLB, and the StatefulSet's governing Service, without which it gets
      // no readiness probe), until gracekeeper's informer holds them (its metrics say), then the
      // workloads. (The cluster's own `kubernetes` Service is held already: count from before.)
      const services = () => metricSample(gk.metricsPort, 'gracekeeper_traffic_objects{resource="services"}');
      const before = await services();
      const isService = (o: Obj) => o.kind === 'Service';
      await kube.apply([nlbService('audit-in', 'deployment'), ...everyKind('audit-in').filter(isService)]);
      await eventually('gracekeeper to hold the Services', async () => ((await services()) > before + 1 ? true : undefined));
      await kube.apply(everyKind('audit-in').filter((o) => !isService(o)));
      await kube.apply(everyKind('audit-out'));
      const optedOut = deployment('opted-out', 'audit-in', { labels: { [`${P}inject`]: 'disabled' } });
      await kube.apply([optedOut, deployment('system', 'kube-system')]);
      const deploy = await kube.mustGet('/apis/apps/v1/namespaces/audit-in/deployments/deployment');
      await kube.ownedEventually('/apis/apps/v1/namespaces/audit-in/replicasets', deploy, 1);

      // The webhook gone: a Deployment created meanwhile, gracekeeper mutate's output applied,
      // a probe gracekeeper added removed, and an annotation changed after mutation.
      await kube.kubectl(['delete', 'mutatingwebhookconfiguration', 'gracekeeper']);
      await kube.apply([deployment('late', 'audit-in'), mutatedOffline(deployment('offline', 'audit-in'))]);
      const patch = (kind: string, name: string, body: unknown) =>
        kube.kubectl(['-n', 'audit-in', 'patch', kind, name, '--type=json', '-p', JSON.stringify(body)]);
      await patch('statefulset', 'statefulset', [{ op: 'remove', path: '/spec/template/spec/containers/0/readinessProbe' }]);
      await patch('daemonset', 'daemonset', [
        { op: 'add', path: `/spec/template/metadata/annotations/${P.replace('/', '~1')}pre-stop-sleep`, value: '9' },
      ]);
      const json = audit(kubeconfig, ['-A', '-o', 'json']);
      assert.equal(json.status, 0, json.stderr);
      for (const item of (JSON.parse(json.stdout) as Obj).items as Obj[])
        status.set(`${item.namespace}/${item.kind}/${item.name}`, item);
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  it('every workload and bare Pod, each with its status; what controllers made from them is left out', () => {
    const of = (key: string) => status.get(key)?.status as string | undefined;
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']) {
      assert.equal(of(`audit-out/${kind}/${kind.toLowerCase()}`), 'not-opted-in', kind);
      // Pods that run to completion get no readiness probe.
      const lacks = ['Job', 'CronJob'].includes(kind) ? ['preStop:app'] : ['preStop:app', 'readinessProbe:app'];
      assert.deepEqual(status.get(`audit-out/${kind}/${kind.toLowerCase()}`)?.lacks, lacks, kind);
    }
    for (const kind of ['Deployment', 'ReplicaSet', 'Job', 'CronJob', 'Pod'])
      assert.equal(of(`audit-in/${kind}/${kind.toLowerCase()}`), 'ok', kind);
    assert.equal(of('audit-in/Deployment/late'), 'missing');
    assert.equal(of('audit-in/Deployment/offline'), 'ok');
    assert.equal(of('audit-in/StatefulSet/statefulset'), 'stale');
    assert.deepEqual(status.get('audit-in/StatefulSet/statefulset')?.lacks, ['readinessProbe:app']);
    assert.equal(of('audit-in/DaemonSet/daemonset'), 'stale');
    assert.deepEqual(status.get('audit-in/DaemonSet/daemonset')?.lacks, ['preStop:app', 'terminationGracePeriodSeconds:30->34']);
    assert.equal(of('audit-in/Deployment/opted-out'), 'excluded');
    assert.equal(status.get('kube-system/Deployment/system')?.reason, 'namespace excluded');
    assert.equal(of(`${env.ownNamespace}/Deployment/gracekeeper`), 'excluded');
    const made = [...status.values()].filter(
      (i) => (i.kind === 'Pod' || i.kind === 'ReplicaSet') && i.name !== i.kind.toLowerCase(),
    );
    assert.deepEqual(made, [], 'no ReplicaSet of a Deployment, no Pod of a controller');
  });

  it("the webhook's traffic paths: the NLB decided the sleep, and the Deployment it sized needs nothing", () => {
    const item = status.get('audit-in/Deployment/deployment') as Obj;
    assert.deepEqual(item.traffic, {
      // Health check 5 s x 3, counted once kube-proxy has learnt of the pod's end: + propagationDelay 5 s.
      paths: [
        {
          object: 'Service/deployment',
          family: 'aws-nlb-instance',
          delay: 15,
          seconds: 20,
          reason: 'node health check 5s x 3',
        },
      ],
      decidedBy: 'Service/deployment (aws-nlb-instance)',
      family: 'aws-nlb-instance',
      seconds: 20,
    });
    assert.deepEqual([item.status, item.lacks, item.record], ['ok', [], true]);
  });

  it('the table: kubectl-style columns, one row per item', () => {
    const r = audit(kubeconfig, ['-n', 'audit-in']);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{3,}/));
    assert.deepEqual(rows[0], ['NAMESPACE', 'KIND', 'NAME', 'OPTED-IN', 'STATUS', 'LACKS', 'TRAFFIC', 'SLEEP']);
    const find = (kind: string, name: string) => rows.find((row) => row[1] === kind && row[2] === name);
    // The one warning is the webhook's own notice that a traffic path sized the sleep.
    assert.deepEqual(find('Deployment', 'deployment'), [
      'audit-in',
      'Deployment',
      'deployment',
      'yes',
      'ok',
      '1 warning',
      'Service/deployment (aws-nlb-instance)',
      '20s',
    ]);
    assert.match(
      status.get('audit-in/Deployment/deployment')?.warnings[0] as string,
      /^pre-stop-sleep auto: 20s for Service\/deployment/,
    );
    assert.deepEqual(find('Deployment', 'late'), [
      'audit-in',
      'Deployment',
      'late',
      'yes',
      'missing',
      'preStop:app,readinessProbe:app',
      '-',
      '5s',
    ]);
    assert.equal(rows.length - 1, [...status.keys()].filter((k) => k.startsWith('audit-in/')).length);
  });

  it('--fail-on: exit 3 when it finds what it names, else 0; 2 for bad arguments; 1 for cluster errors', () => {
    assert.equal(audit(kubeconfig, ['-n', 'audit-in', '--fail-on', 'missing', '-o', 'json']).status, 3);
    assert.equal(audit(kubeconfig, ['-n', 'audit-in', '--fail-on', 'stale', '-o', 'json']).status, 3);
    assert.equal(audit(kubeconfig, ['-n', 'audit-out', '--fail-on', 'missing,stale', '-o', 'json']).status, 0);
    const bad = audit(kubeconfig, ['--fail-on', 'everything']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /expected missing, stale/);
    const gone = audit(kubeconfig, ['-n', 'no-such-namespace']);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /^gracekeeper audit: GET \/api\/v1\/namespaces\/no-such-namespace: 404 /);
    assert.doesNotMatch(gone.stderr, /\n\s+at /, 'no stack trace');
  });

  it('reads only with get and list, in pages', async () => {
    for (const rule of auditRole().rules as Obj[]) {
      assert.ok(
        (rule.verbs as string[]).every((v) => v === 'get' || v === 'list'),
        JSON.stringify(rule),
      );
    }
    const write = await env.kube.kubectl(['--kubeconfig', kubeconfig, 'create', 'namespace', 'audit-write'], undefined, true);
    assert.notEqual(write.code, 0, 'the audit user cannot write');
    const get = jsonGetter(loadClientKubeConfig(kubeconfig));
    const paged = await listAll(get, '/apis/apps/v1/namespaces/audit-in/deployments', 2);
    const whole = await listAll(get, '/apis/apps/v1/namespaces/audit-in/deployments');
    assert.ok(paged.length > 2, `${paged.length} Deployments, more than a page`);
    assert.deepEqual(
      paged.map((d) => (d.metadata as Obj).name),
      whole.map((d) => (d.metadata as Obj).name),
    );
  });

  it('as a kubectl plugin: kubectl gracekeeper audit runs the same command', () => {
    const bin = mkdtempSync(join(tmpdir(), 'gk-plugin-'));
    const entry = join(REPO_ROOT, 'dist/kubectl-gracekeeper.js');
    chmodSync(entry, 0o755);
    symlinkSync(entry, join(bin, 'kubectl-gracekeeper'));
    const PATH = [bin, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
    const args = ['gracekeeper', 'audit', '--kubeconfig', kubeconfig, '-n', 'audit-out', '-o', 'json'];
    const r = spawnSync(env.cp.binaries.kubectl, args, { encoding: 'utf8', env: { ...process.env, PATH }, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const direct = audit(kubeconfig, ['-n', 'audit-out', '-o', 'json']);
    assert.equal(r.stdout, direct.stdout);
    assert.equal((JSON.parse(r.stdout) as Obj).summary.byStatus['not-opted-in'], 7);
  });
});
