// `make deploy` and `make undeploy` (scripts/deploy.sh, undeploy.sh) against a real API server:
// the control plane of the e2e suite (etcd, kube-apiserver, kube-controller-manager; no scheduler
// and no kubelet, so gracekeeper's own Pods stay Pending and the webhook has no endpoints).
// Checks what only an API server can: every object is accepted with strict field validation, the
// Pods pass the namespace's `restricted` Pod Security admission, the Secret and caBundle are
// stored, a webhook without endpoints fails open (failurePolicy: Ignore), and undeploy removes
// everything. The webhook's mutations themselves are test/e2e's business.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '../e2e/cluster.js';
import { e2eSkipReason } from '../e2e/ensure-binaries.js';
import { RECORD_KEY } from '../../src/settings/keys.js';
import { ROOT, type Obj } from './kustomize.js';

const skip = e2eSkipReason() ?? false;

describe('make deploy / make undeploy on a real API server', { skip }, () => {
  let cp: ControlPlane;
  let certs: string;
  const run = (script: string, args: string[] = []) => {
    const r = spawnSync('bash', [join(ROOT, 'scripts', script), ...args], {
      encoding: 'utf8',
      timeout: 180_000,
      env: {
        ...process.env,
        KUBECONFIG: cp.kubeconfigPath,
        KUBECTL: cp.binaries.kubectl,
        CERTS_DIR: certs,
        IMG: 'gracekeeper:0.0.0-test',
      },
    });
    assert.equal(r.status, 0, `${script} ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    return r;
  };
  const get = async (args: string[]): Promise<Obj> =>
    JSON.parse((await cp.kubectl(['get', ...args, '-o', 'json'])).stdout) as Obj;

  before(
    async () => {
      certs = mkdtempSync(join(tmpdir(), 'gk-cluster-certs-'));
      cp = await startControlPlane();
    },
    { timeout: 60 * 60_000 },
  );
  after(async () => {
    await cp?.stop();
    rmSync(certs, { recursive: true, force: true });
  });

  it('deploys: every object accepted with strict validation and no warnings', { timeout: 180_000 }, () => {
    const r = run('deploy.sh', ['--no-wait']);
    assert.doesNotMatch(r.stderr, /Warning/i, r.stderr);
    for (const kind of [
      'namespace/gracekeeper',
      'deployment.apps/gracekeeper',
      'service/gracekeeper',
      'secret/gracekeeper-tls',
      'mutatingwebhookconfiguration.admissionregistration.k8s.io/gracekeeper',
    ]) {
      assert.match(r.stdout, new RegExp(`${kind.replace(/\./g, '\\.')} created`), r.stdout);
    }
  });

  it('stores the Secret and the caBundle made from certs/', async () => {
    const secret = await get(['-n', 'gracekeeper', 'secret', 'gracekeeper-tls']);
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(Buffer.from(secret.data['tls.crt'], 'base64').toString(), readFileSync(join(certs, 'tls.crt'), 'utf8'));
    const config = await get(['mutatingwebhookconfiguration', 'gracekeeper']);
    assert.equal(
      Buffer.from(config.webhooks[0].clientConfig.caBundle, 'base64').toString(),
      readFileSync(join(certs, 'ca.crt'), 'utf8'),
    );
  });

  it('creates both Pods under the restricted Pod Security level', { timeout: 60_000 }, async () => {
    const deadline = Date.now() + 45_000;
    let pods: Obj[] = [];
    while (Date.now() < deadline) {
      pods = (await get(['-n', 'gracekeeper', 'pods', '-l', 'app.kubernetes.io/name=gracekeeper'])).items as Obj[];
      if (pods.length === 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const events = (await cp.kubectl(['-n', 'gracekeeper', 'get', 'events'])).stdout;
    assert.equal(pods.length, 2, `two Pods created (events: ${events})`);
    assert.doesNotMatch(events, /FailedCreate|violates PodSecurity/);
    const ns = await get(['namespace', 'gracekeeper']);
    assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    for (const pod of pods) {
      assert.equal(pod.spec.containers[0].image, 'gracekeeper:0.0.0-test');
      assert.equal(pod.spec.priorityClassName, 'gracekeeper');
      assert.ok(pod.spec.priority > 0);
    }
  });

  it('fails open while gracekeeper is not serving: objects are admitted unmutated', async () => {
    await cp.kubectl(['create', 'namespace', 'shop']);
    await cp.kubectl(['label', 'namespace', 'shop', 'gracekeeper.io/inject=enabled']);
    const started = Date.now();
    const r = await cp.kubectl(['-n', 'shop', 'run', 'web', '--image=nginx', '--port=80']);
    assert.ok(Date.now() - started < 10_000, 'not held for long');
    assert.match(r.stdout, /created/);
    const pod = await get(['-n', 'shop', 'pod', 'web']);
    assert.equal(pod.metadata.annotations?.[RECORD_KEY], undefined);
    assert.equal(pod.spec.containers[0].lifecycle, undefined);
    // It was the webhook that failed open, not a selector that skipped it.
    const log = readFileSync(join(cp.dir, 'kube-apiserver.log'), 'utf8');
    assert.match(log, /[Ff]ailed calling webhook, failing open mutate\.gracekeeper\.io/);
  });

  it('undeploys everything, the webhook configuration first', { timeout: 180_000 }, async () => {
    run('undeploy.sh');
    for (const [kind, ns] of [
      ['namespace/gracekeeper', ''],
      ['clusterrole/gracekeeper', ''],
      ['clusterrolebinding/gracekeeper', ''],
      ['priorityclass/gracekeeper', ''],
      ['mutatingwebhookconfiguration/gracekeeper', ''],
    ] as const) {
      const r = await cp.kubectl(['get', kind, ...(ns ? ['-n', ns] : [])], { allowFailure: true });
      assert.notEqual(r.code, 0, `${kind} is gone`);
      assert.match(r.stderr, /NotFound/);
    }
    // What gracekeeper did not make stays.
    await get(['namespace', 'shop']);
  });
});
