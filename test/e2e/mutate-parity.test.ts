// `gracekeeper mutate` and the webhook on a real API server give the same answer for the same object:
// the same record (an unset grace period is the API server's default 30 to both), the same opt-out
// by a Namespace's gracekeeper.io/inject annotation, and `audit` finds what the webhook stored
// current. And mutate's YAML, created through the real API server with kubectl, keeps every value
// kubectl read from the input (octal modes, "no"/"on" strings).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { audit, auditor, CLI } from './audit-fixtures.js';
import { e2eSkipReason } from './ensure-binaries.js';
import { REPO_ROOT } from './gracekeeper.js';
import { container, eventually, recordOf, type Obj, type PodTemplate } from './kube.js';
import { deployment, P } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'gk-parity-'));

/** `gracekeeper mutate` of one object for namespace `ns`, opted in, with the Namespace's annotations. */
function mutateOffline(object: Obj, namespaceAnnotations: Record<string, string> = {}): Obj {
  const args = ['mutate', '-f', '-', '-o', 'json', '--namespace-label', `${P}inject=enabled`];
  for (const [k, v] of Object.entries(namespaceAnnotations)) args.push('--namespace-annotation', `${k}=${v}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { input: JSON.stringify(object), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Obj;
}

function pod(name: string, ns: string, annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, annotations },
    spec: { containers: [{ name: 'app', image: 'example.com/app:1', ports: [{ containerPort: 8080 }] }] },
  };
}

const templateOf = (o: Obj): PodTemplate => (o.kind === 'Pod' ? (o as PodTemplate) : (o.spec.template as PodTemplate));

describe('gracekeeper mutate and the webhook, the same object, the same answer', { skip }, () => {
  let env: WebhookEnv;

  before(
    async () => {
      env = await startWebhookEnv();
      await env.use(await env.start('gracekeeper'));
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  /** Created through the API server (and so the webhook): the object as stored. */
  const create = async (object: Obj): Promise<Obj> => {
    const ns = object.metadata.namespace as string;
    const path = object.kind === 'Pod' ? `/api/v1/namespaces/${ns}/pods` : `/apis/apps/v1/namespaces/${ns}/deployments`;
    const res = await env.cp.api<Obj>('POST', path, object);
    assert.equal(res.status, 201, res.text.slice(0, 300));
    return res.body;
  };

  it('no grace period in the manifest: the same record, the same grace period, the same hooks', async () => {
    const ns = await env.kube.namespace('parity');
    const objects = [
      deployment('fits', ns),
      deployment('longer', ns, { metaAnnotations: { [`${P}drain-timeout`]: '40s' } }),
      pod('bare', ns),
      pod('bare-longer', ns, { [`${P}drain-timeout`]: '40s' }),
    ];
    for (const object of objects) {
      const offline = mutateOffline(object);
      const stored = await create(object);
      const [a, b] = [templateOf(offline), templateOf(stored)];
      const name = object.metadata.name as string;
      assert.deepEqual(recordOf(a.metadata), recordOf(b.metadata), `${name}: the record`);
      assert.ok(recordOf(b.metadata), `${name}: mutated`);
      assert.equal(a.spec.terminationGracePeriodSeconds ?? 30, b.spec.terminationGracePeriodSeconds, `${name}: grace`);
      assert.deepEqual(container(a, 'app').lifecycle, container(b, 'app').lifecycle, `${name}: preStop`);
      assert.deepEqual(container(a, 'app').readinessProbe, container(b, 'app').readinessProbe, `${name}: readiness`);
    }
    // Stored, the API server has defaulted the grace period: 30 where sleep + drain fit in it.
    const fits = await env.kube.mustGet(`/apis/apps/v1/namespaces/${ns}/deployments/fits`);
    assert.equal(fits.spec.template.spec.terminationGracePeriodSeconds, 30);
    assert.equal(recordOf(fits.spec.template.metadata)?.terminationGracePeriodSeconds, undefined);
    const longer = await env.kube.mustGet(`/apis/apps/v1/namespaces/${ns}/deployments/longer`);
    assert.deepEqual(recordOf(longer.spec.template.metadata)?.terminationGracePeriodSeconds, { from: 30, to: 45 });

    // audit reads what the webhook stored: current, not stale, for both Deployments.
    const who = await auditor(env.kube);
    await who.bind();
    const report = audit(who.kubeconfig, ['-n', ns, '-o', 'json']);
    assert.equal(report.status, 0, report.stderr);
    const items = (JSON.parse(report.stdout) as { items: Obj[] }).items.filter((i) => i.kind === 'Deployment');
    assert.deepEqual(
      items.map((i) => [i.name, i.status]),
      [
        ['fits', 'ok'],
        ['longer', 'ok'],
      ],
    );
  });

  it('a Namespace annotated gracekeeper.io/inject: "false": left alone, but what opts back in', async () => {
    const annotations = { [`${P}inject`]: 'false' };
    const ns = await env.kube.namespace('parity-off', { annotations });
    const off = deployment('off', ns);
    const back = deployment('back', ns, { metaAnnotations: { [`${P}inject`]: 'true' } });
    // The webhook learns the Namespace's annotation from its watch: wait until a dry run shows it.
    await eventually('the webhook to see the Namespace opt out', async () => {
      const res = await env.cp.api<Obj>('POST', `/apis/apps/v1/namespaces/${ns}/deployments?dryRun=All`, off);
      return res.status === 201 && recordOf(res.body.spec.template.metadata) === undefined ? true : undefined;
    });
    assert.equal(recordOf(templateOf(mutateOffline(off, annotations)).metadata), undefined, 'mutate leaves it too');
    const storedOff = await create(off);
    assert.equal(recordOf(storedOff.spec.template.metadata), undefined, 'the webhook left it alone');
    const storedBack = await create(back);
    const offline = mutateOffline(back, annotations);
    assert.ok(recordOf(storedBack.spec.template.metadata), 'opted back in');
    assert.deepEqual(recordOf(storedBack.spec.template.metadata), recordOf(templateOf(offline).metadata));
    // Its Pods, made by the ReplicaSet from the template, keep what the template has.
    const rs = await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${ns}/replicasets`, storedBack, 1);
    const [p] = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs[0], 1);
    assert.deepEqual(container(p as PodTemplate, 'app').lifecycle, container(templateOf(storedBack), 'app').lifecycle);
  });

  it('mutate’s YAML, created by kubectl through the API server: every value as kubectl read the input', async () => {
    const ns = await env.kube.namespace('operators');
    const input = join(REPO_ROOT, 'test/yaml/corpus/operator-install.yaml');
    const r = spawnSync(process.execPath, [CLI, 'mutate', '-f', input, '--namespace-label', `${P}inject=enabled`], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const file = join(dir, 'mutated.yaml');
    // Only what the API server knows (the custom resource has no CRD here).
    writeFileSync(
      file,
      r.stdout
        .split(/^---\n/m)
        .slice(0, 2)
        .join('---\n'),
    );
    await env.kube.kubectl(['create', '-f', file]);
    const cm = await env.kube.mustGet(`/api/v1/namespaces/${ns}/configmaps/operator-config`);
    assert.deepEqual(cm.data, { enableWebhooks: 'yes', metrics: 'on', leaderElection: 'off', replicas: '3', version: '1.20' });
    const d = await env.kube.mustGet(`/apis/apps/v1/namespaces/${ns}/deployments/operator`);
    const spec = d.spec.template.spec;
    assert.deepEqual(spec.containers[0].args, [
      '--leader-elect=false',
      'no',
      'on',
      'off',
      'yes',
      '1e3',
      '0x1F',
      '1:20',
      '~',
      'null',
      '',
    ]);
    assert.deepEqual(
      spec.volumes.map((v: Obj) => (v.secret ?? v.configMap).defaultMode),
      [0o400, 0o755, 420],
    );
    assert.ok(readFileSync(input, 'utf8').includes('defaultMode: 0400'));
  });
});
