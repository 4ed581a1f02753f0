// On a real kube-apiserver: the API server authenticates to gracekeeper with the client
// certificate its AdmissionConfiguration's kubeconfig names (--admission-control-config-file, the
// "Authenticate apiservers" setup of the Kubernetes docs), and gracekeeper serve --client-ca
// verifies it. Admissions go through; a caller without that certificate is refused (401, or 403
// with another CA's); a gracekeeper that does not trust the API server's certificate refuses it,
// and the API server fails open (failurePolicy: Ignore): the Pod is created, unmutated.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { e2eSkipReason } from './ensure-binaries.js';
import { admissionLine, pointWebhookAt, type Gracekeeper } from './gracekeeper.js';
import { recordOf, type Obj } from './kube.js';
import { pod } from './manifests.js';
import { createClientPki, type CertPair } from './pki.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();

/** The AdmissionConfiguration and its kubeconfig: the client certificate for every webhook ("*"). */
function admissionConfig(dir: string, client: CertPair): string {
  const kubeconfig = join(dir, 'admission-kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      users: [{ name: '*', user: { 'client-certificate': client.certPath, 'client-key': client.keyPath } }],
    }),
  );
  const file = join(dir, 'admission-config.yaml');
  const plugin = (name: string) => ({
    name,
    configuration: {
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'WebhookAdmissionConfiguration',
      kubeConfigFile: kubeconfig,
    },
  });
  writeFileSync(
    file,
    stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [plugin('MutatingAdmissionWebhook'), plugin('ValidatingAdmissionWebhook')],
    }),
  );
  return file;
}

/** POST /mutate from this process, as a caller that is not the API server. */
function post(url: string, ca: string, client?: { cert: string; key: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x' } });
    const req = request(
      url,
      { method: 'POST', ca, ...client, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the API server authenticates to gracekeeper with a client certificate', { skip: skip ?? false }, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;
  let stranger: { cert: string; key: string };
  let otherCa: string;

  before(
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gk-e2e-client-ca-'));
      const [ours, theirs] = await Promise.all([
        createClientPki(mkdtempSync(join(dir, 'ours-')), 'kube-apiserver-webhook-client'),
        createClientPki(mkdtempSync(join(dir, 'theirs-')), 'someone-else'),
      ]);
      stranger = { cert: readFileSync(theirs.client.certPath, 'utf8'), key: readFileSync(theirs.client.keyPath, 'utf8') };
      otherCa = theirs.ca.certPath;
      env = await startWebhookEnv({ apiserverArgs: [`--admission-control-config-file=${admissionConfig(dir, ours.client)}`] });
      gk = await env.start('gracekeeper-client-ca', {}, undefined, [`--client-ca=${ours.ca.certPath}`]);
      await env.use(gk); // waits until the API server's dry-run Pods come back mutated
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  it('admits through the API server: a Pod created in an opted-in namespace is mutated', async () => {
    const ns = await env.kube.namespace('client-ca');
    const res = await env.cp.api<Obj>('POST', `/api/v1/namespaces/${ns}/pods`, pod('web', ns));
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.ok(recordOf(res.body.metadata), 'the Pod carries gracekeeper.io/injected');
    assert.ok(await admissionLine(gk, 'web'), "gracekeeper logged the Pod's admission");
  });

  it('refuses a caller without a client certificate (401) and one with another CA (403)', async () => {
    const none = await post(gk.url, gk.caPem);
    assert.equal(none.status, 401);
    assert.match(none.text, /a client certificate is required/);
    const other = await post(gk.url, gk.caPem, stranger);
    assert.equal(other.status, 403);
    assert.match(other.text, /not signed by the --client-ca bundle/);
  });

  it('a gracekeeper that does not trust the API server refuses it, and the API server fails open', async () => {
    const wrong = await env.start('gracekeeper-wrong-ca', {}, undefined, [`--client-ca=${otherCa}`]);
    await env.kube.apply(pointWebhookAt(env.docs, wrong.url, wrong.caPem));
    const ns = await env.kube.namespace('client-ca-open');
    // The webhook configuration reaches the API server's informer within a moment: until the Pod
    // goes to `wrong`, it may still be mutated by gk. Each try is a new Pod.
    let created: Obj | undefined;
    for (let i = 0; i < 50 && !created; i++) {
      const res = await env.cp.api<Obj>('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod(`p${i}`, ns));
      assert.equal(res.status, 201, `created despite the refusal: ${res.text.slice(0, 300)}`);
      if (!recordOf(res.body.metadata)) created = res.body;
      else await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(created, 'a Pod was created unmutated (fail open)');
    const metrics = await env.cp.api('GET', '/metrics');
    const line = metrics.text.split('\n').find((l) => l.startsWith('apiserver_admission_webhook_fail_open_count{'));
    assert.ok(line && Number(line.split(' ').pop()) > 0, `the API server counted the fail-open: ${line}`);
    assert.ok(!wrong.logLines().some((l) => l.msg === 'admission'), 'the refused calls never reached the engine');
    await env.use(gk);
  });
});
