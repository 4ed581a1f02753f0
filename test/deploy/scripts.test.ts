// scripts/certs.sh, deploy.sh and undeploy.sh (`make certs deploy undeploy`), without a cluster:
// the certificates are checked with openssl and a real TLS handshake, deploy.sh's overlay is
// rendered, and the kubectl calls are recorded by a stand-in kubectl that passes `kustomize`
// through to the real one.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findKubectl, one, parseObjects, ROOT, type Obj } from './kustomize.js';

const OPENSSL = process.env.OPENSSL ?? 'openssl';
const SANS = [
  'gracekeeper',
  'gracekeeper.gracekeeper',
  'gracekeeper.gracekeeper.svc',
  'gracekeeper.gracekeeper.svc.cluster.local',
];
const kubectlFound = await findKubectl();

function script(name: string, args: string[], env: Record<string, string>): { stdout: string; stderr: string } {
  const r = spawnSync('bash', [join(ROOT, 'scripts', name), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `${name} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function openssl(args: string[]): string {
  return execFileSync(OPENSSL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether a TLS client that trusts ca.crt accepts the server's certificate for `servername`. */
async function handshake(dir: string, servername: string): Promise<string | undefined> {
  const server = createServer({ cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<string | undefined>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername,
        ca: readFileSync(join(dir, 'ca.crt')),
        minVersion: 'TLSv1.2',
      });
      socket.once('secureConnect', () => {
        socket.end();
        resolve(undefined);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  } finally {
    server.close();
  }
}

describe('scripts/certs.sh (make certs)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-certs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a CA and a serving certificate for the Service, keys private', () => {
    script('certs.sh', [], { CERTS_DIR: dir });
    for (const f of ['ca.key', 'tls.key']) assert.equal(statSync(join(dir, f)).mode & 0o077, 0, `${f} is private`);
    const text = openssl(['x509', '-in', join(dir, 'tls.crt'), '-noout', '-text']);
    const sans = /Subject Alternative Name:\s*\n\s*(.+)/
      .exec(text)?.[1]
      ?.split(',')
      .map((s) => s.trim());
    assert.deepEqual(
      sans,
      SANS.map((n) => `DNS:${n}`),
    );
    assert.match(text, /TLS Web Server Authentication/);
    assert.match(text, /CA:FALSE/);
    assert.match(openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'tls.crt')]), /: OK/);
    assert.match(openssl(['x509', '-in', join(dir, 'ca.crt'), '-noout', '-text']), /CA:TRUE/);
  });

  it('is accepted by a TLS client for gracekeeper.gracekeeper.svc, as the API server connects', async () => {
    assert.equal(await handshake(dir, 'gracekeeper.gracekeeper.svc'), undefined);
    assert.equal(await handshake(dir, 'gracekeeper.gracekeeper.svc.cluster.local'), undefined);
    assert.equal(await handshake(dir, 'other.gracekeeper.svc'), 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('keeps valid certificates, reissues for other names, renews all with --force', () => {
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    const [ca, tls] = [read('ca.crt'), read('tls.crt')];
    assert.match(script('certs.sh', [], { CERTS_DIR: dir }).stdout, /up to date/);
    assert.equal(read('tls.crt'), tls);

    script('certs.sh', [], { CERTS_DIR: dir, NAMESPACE: 'platform' });
    assert.equal(read('ca.crt'), ca, 'the CA stays');
    assert.notEqual(read('tls.crt'), tls);
    assert.match(
      openssl(['x509', '-in', join(dir, 'tls.crt'), '-noout', '-ext', 'subjectAltName']),
      /DNS:gracekeeper\.platform\.svc\.cluster\.local/,
    );

    script('certs.sh', ['--force'], { CERTS_DIR: dir });
    assert.notEqual(read('ca.crt'), ca, 'a new CA');
    assert.match(openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'tls.crt')]), /: OK/);
  });

  it('reissues a serving certificate whose key does not match it', () => {
    const tls = readFileSync(join(dir, 'tls.crt'), 'utf8');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'tls.key')]);
    script('certs.sh', [], { CERTS_DIR: dir });
    assert.notEqual(readFileSync(join(dir, 'tls.crt'), 'utf8'), tls);
  });
});

describe('scripts/deploy.sh and undeploy.sh (make deploy, make undeploy)', { skip: kubectlFound.reason ?? false }, () => {
  const kubectl = kubectlFound.kubectl as string;
  let dir: string;
  let fake: string;
  let log: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-deploy-'));
    log = join(dir, 'kubectl.log');
    fake = join(dir, 'kubectl');
    // Records each call; `apply -k DIR` also records what DIR renders to (it is gone afterwards).
    writeFileSync(
      fake,
      `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${log}"
case "$1" in
  kustomize) exec "${kubectl}" "$@" ;;
  apply) [[ $2 == -k ]] && "${kubectl}" kustomize "$3" > "${dir}/applied.yaml" ;;
  config) echo test-context ;;
esac
exit 0
`,
    );
    chmodSync(fake, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const render = (args: string[], img: string): Obj[] =>
    parseObjects(
      script('deploy.sh', ['--render', ...args], { KUBECTL: kubectl, CERTS_DIR: join(dir, 'certs'), IMG: img }).stdout,
    );

  it('without cert-manager: makes the certificates, the TLS secret and the caBundle from them', () => {
    const objects = render([], 'registry.example.com:5000/team/gracekeeper:1.2.3');
    const certs = join(dir, 'certs');
    const secret = one(objects, 'Secret', 'gracekeeper-tls');
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(secret.metadata.namespace, 'gracekeeper');
    const b64 = (f: string) => readFileSync(join(certs, f)).toString('base64');
    // kustomize folds long values; the API server's base64 decoder skips the newlines.
    const data = (k: string) => (secret.data[k] as string).replace(/\s/g, '');
    assert.equal(data('tls.crt'), b64('tls.crt'));
    assert.equal(data('tls.key'), b64('tls.key'));
    assert.equal(data('ca.crt'), b64('ca.crt'));
    const webhook = one(objects, 'MutatingWebhookConfiguration', 'gracekeeper').webhooks[0] as Obj;
    assert.equal(webhook.clientConfig.caBundle, b64('ca.crt'));
    const deployment = one(objects, 'Deployment', 'gracekeeper');
    assert.equal(deployment.spec.template.spec.containers[0].image, 'registry.example.com:5000/team/gracekeeper:1.2.3');
    assert.equal(deployment.spec.template.spec.volumes.find((v: Obj) => v.secret).secret.secretName, secret.metadata.name);
    assert.equal(objects.filter((o) => o.apiVersion.startsWith('cert-manager.io/')).length, 0);
  });

  it('with --cert-manager: no secret or caBundle of its own, the image set, digests too', () => {
    const objects = render(['--cert-manager'], 'ghcr.io/example/gracekeeper@sha256:' + 'a'.repeat(64));
    assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0);
    one(objects, 'Certificate', 'gracekeeper-serving');
    const config = one(objects, 'MutatingWebhookConfiguration', 'gracekeeper');
    assert.ok(config.metadata.annotations['cert-manager.io/inject-ca-from']);
    assert.equal(config.webhooks[0].clientConfig.caBundle, undefined);
    assert.equal(
      one(objects, 'Deployment', 'gracekeeper').spec.template.spec.containers[0].image,
      `ghcr.io/example/gracekeeper@sha256:${'a'.repeat(64)}`,
    );
  });

  it('applies the overlay, then waits for the rollout', () => {
    writeFileSync(log, '');
    script('deploy.sh', [], { KUBECTL: fake, CERTS_DIR: join(dir, 'certs'), IMG: 'gracekeeper:9.9.9' });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const apply = calls.findIndex((c) => c.startsWith('apply -k '));
    const rollout = calls.findIndex(
      (c) =>
        c === 'rollout status deployment/gracekeeper -n gracekeeper' ||
        c.startsWith('-n gracekeeper rollout status deployment/gracekeeper'),
    );
    assert.ok(apply >= 0 && rollout > apply, calls.join('\n'));
    const applied = parseObjects(readFileSync(join(dir, 'applied.yaml'), 'utf8'));
    one(applied, 'Secret', 'gracekeeper-tls');
    assert.ok(one(applied, 'MutatingWebhookConfiguration', 'gracekeeper').webhooks[0].clientConfig.caBundle);
    assert.equal(one(applied, 'Deployment', 'gracekeeper').spec.template.spec.containers[0].image, 'gracekeeper:9.9.9');
  });

  it('undeploy removes the webhook configuration first, then the rest', () => {
    writeFileSync(log, '');
    script('undeploy.sh', [], { KUBECTL: fake });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(calls, [
      'delete mutatingwebhookconfiguration gracekeeper --ignore-not-found',
      `delete -k ${join(ROOT, 'deploy', 'base')} --ignore-not-found`,
    ]);
  });

  it('make passes IMG and CERT_MANAGER through', () => {
    const dry = (args: string[]) => execFileSync('make', ['-n', '-C', ROOT, ...args], { encoding: 'utf8' });
    assert.match(dry(['deploy', 'IMG=r.example/gk:2']), /IMG='r\.example\/gk:2' bash scripts\/deploy\.sh\s*$/m);
    assert.match(dry(['deploy', 'CERT_MANAGER=true']), /bash scripts\/deploy\.sh --cert-manager/);
    assert.match(dry(['certs']), /bash scripts\/certs\.sh/);
    assert.match(dry(['undeploy']), /bash scripts\/undeploy\.sh/);
  });
});
