// --client-ca (issue 24: "a caller that reaches /mutate"): with it, POST /mutate needs a client
// certificate the CA verifies (the API server's, from its admission kubeconfig); without one 401,
// with a stranger's 403, both bounded and before the body is read. /healthz and /readyz answer
// any TLS client (kubelet probes carry no certificate); metrics stay plain HTTP on their own port.
// Without the flag nothing changes. Real certificates (openssl), real TLS, the real server.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClientPki, createServingPki, type CertPair } from '../e2e/pki.js';
import { pod } from './fixtures.js';
import { call, getMetrics, review, startTestServer, tempDir, until, type TestServer } from './helpers.js';

const read = (p: CertPair) => ({ cert: readFileSync(p.certPath, 'utf8'), key: readFileSync(p.keyPath, 'utf8') });

describe('--client-ca: the API server authenticates to the webhook', () => {
  let server: TestServer;
  let plain: TestServer;
  let servingCa: string;
  let apiserver: { cert: string; key: string };
  let stranger: { cert: string; key: string };
  let certFile: string;
  let keyFile: string;

  before(async () => {
    const dir = tempDir('gk-client-ca-');
    const [serving, ours, theirs] = await Promise.all([
      createServingPki(tempDir('gk-serving-'), 'gracekeeper'),
      createClientPki(tempDir('gk-ours-'), 'kube-apiserver'),
      createClientPki(tempDir('gk-theirs-'), 'kube-apiserver'),
    ]);
    servingCa = readFileSync(serving.ca.certPath, 'utf8');
    apiserver = read(ours.client);
    stranger = read(theirs.client);
    certFile = join(dir, 'tls.crt');
    keyFile = join(dir, 'tls.key');
    copyFileSync(serving.serving.certPath, certFile);
    copyFileSync(serving.serving.keyPath, keyFile);
    server = await startTestServer({ tlsCertFile: certFile, tlsKeyFile: keyFile, clientCaFile: ours.ca.certPath });
    plain = await startTestServer({ tlsCertFile: certFile, tlsKeyFile: keyFile });
  });
  after(async () => {
    await server?.stop();
    await plain?.stop();
  });

  const mutate = (s: TestServer, client?: { cert: string; key: string }) =>
    call(s, { ca: servingCa, body: review(pod()), ...(client ?? {}) });

  it('admits a review over a connection with the API server certificate', async () => {
    const reply = await mutate(server, apiserver);
    assert.equal(reply.status, 200);
    assert.equal(reply.json.response.allowed, true);
    assert.ok(reply.json.response.patch, 'the Pod was mutated');
  });

  it('refuses /mutate without a client certificate: 401, a bounded message, the connection closed', async () => {
    const reply = await mutate(server);
    assert.equal(reply.status, 401);
    assert.match(reply.text, /a client certificate is required/);
    assert.ok(reply.text.length < 300, reply.text);
    assert.equal(reply.headers.connection, 'close');
  });

  it('refuses /mutate with a certificate another CA signed: 403 naming why', async () => {
    const reply = await mutate(server, stranger);
    assert.equal(reply.status, 403);
    assert.match(reply.text, /not signed by the --client-ca bundle \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  });

  it('answers /healthz and /readyz without a client certificate, and metrics over plain HTTP', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const reply = await call(server, { ca: servingCa, method: 'GET', path });
      assert.equal(reply.status, 200, path);
    }
    assert.match(await getMetrics(server), /gracekeeper_/);
  });

  it('without --client-ca, /mutate needs no client certificate (the default is unchanged)', async () => {
    const reply = await mutate(plain);
    assert.equal(reply.status, 200);
    assert.equal(reply.json.response.allowed, true);
  });

  it('keeps verifying clients after the serving certificate is reloaded', async () => {
    const next = await createServingPki(tempDir('gk-serving2-'), 'gracekeeper');
    const before = (await call(server, { ca: servingCa, method: 'GET', path: '/healthz' })).socket.getPeerCertificate();
    writeFileSync(keyFile, readFileSync(next.serving.keyPath));
    writeFileSync(certFile, readFileSync(next.serving.certPath));
    servingCa = readFileSync(next.ca.certPath, 'utf8');
    await until('the new certificate is served', async () => {
      const reply = await call(server, { ca: servingCa, method: 'GET', path: '/healthz' }).catch(() => undefined);
      return reply !== undefined && reply.socket.getPeerCertificate().fingerprint256 !== before.fingerprint256;
    });
    assert.equal((await mutate(server, apiserver)).status, 200);
    assert.equal((await mutate(server)).status, 401);
    assert.equal((await mutate(server, stranger)).status, 403);
  });
});

describe('--client-ca: a bundle that is not one stops the start with a message naming the flag', () => {
  const cases: [string, (dir: string) => string, RegExp][] = [
    ['a missing file', (dir) => join(dir, 'absent.pem'), /--client-ca ".*absent\.pem": cannot read it \(ENOENT\)/],
    [
      'no certificate',
      (dir) => {
        writeFileSync(join(dir, 'empty.pem'), 'not a certificate\n');
        return join(dir, 'empty.pem');
      },
      /holds no PEM certificate/,
    ],
    [
      'a leaf, not a CA',
      (dir) => {
        writeFileSync(join(dir, 'leaf.pem'), readFileSync(join(dir, 'client.crt')));
        return join(dir, 'leaf.pem');
      },
      /certificate 1 is not a CA certificate/,
    ],
    [
      'too large',
      (dir) => {
        writeFileSync(join(dir, 'big.pem'), Buffer.alloc(300 * 1024, 65));
        return join(dir, 'big.pem');
      },
      /307200 bytes; a CA bundle has at most 262144/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(name, async () => {
      const dir = tempDir('gk-bad-ca-');
      await createClientPki(dir, 'kube-apiserver');
      await assert.rejects(startTestServer({ clientCaFile: make(dir) }), message);
    });
  }
});
