// TLS: version floor, verification against the CA, the self-signed certificate, and rotation of
// the certificate files without a restart and without dropping an open connection.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { newCertificateAuthority, serverCertificate } from '../../src/runtime/self-signed.js';
import { describeCertificate } from '../../src/runtime/tls.js';
import { pod } from './fixtures.js';
import { call, getMetrics, metricValue, review, startTestServer, tempDir, type TestServer } from './helpers.js';
import { until, replaceFile } from './helpers.js';

function handshake(port: number, options: { ca: string; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: options.ca, maxVersion: options.maxVersion, minVersion: 'TLSv1' },
      () => resolve(socket),
    );
    socket.on('error', reject);
  });
}

describe('TLS of the self-signed server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('serves TLS 1.2 and 1.3, refuses older versions', async () => {
    const tls12 = await handshake(server.port, { ca: server.ca, maxVersion: 'TLSv1.2' });
    assert.equal(tls12.getProtocol(), 'TLSv1.2');
    tls12.destroy();
    const tls13 = await handshake(server.port, { ca: server.ca });
    assert.equal(tls13.getProtocol(), 'TLSv1.3');
    tls13.destroy();
    await assert.rejects(handshake(server.port, { ca: server.ca, maxVersion: 'TLSv1.1' }));
  });

  it('is verified against the CA it wrote and logged, and by no other', async () => {
    assert.ok(server.caFile);
    const line = server.logs.lines.find((l) => l.caFile === server.caFile);
    assert.ok(line, 'the CA file is named in the log');
    const ok = await call(server, { body: review(pod()) });
    assert.equal(ok.status, 200);
    const other = await newCertificateAuthority();
    await assert.rejects(call(server, { body: review(pod()), ca: other.cert }), /self-signed|unable to verify|certificate/i);
  });

  it('reuses the CA on the next start in the same directory', async () => {
    const again = await startTestServer({ selfSignedDir: join(server.caFile!, '..') });
    try {
      assert.equal(again.ca, server.ca);
      assert.ok(again.logs.lines.some((l) => l.reusedCa === true));
      const reply = await call({ port: again.port, ca: server.ca }, { body: review(pod()) });
      assert.equal(reply.status, 200);
    } finally {
      await again.stop();
    }
  });
});

describe('certificate rotation', () => {
  let server: TestServer;
  let ca: { cert: string; key: string };
  let certFile: string;
  let keyFile: string;
  before(async () => {
    const dir = tempDir();
    ca = await newCertificateAuthority();
    const first = await serverCertificate(ca, new Date(), 30);
    certFile = join(dir, 'tls.crt');
    keyFile = join(dir, 'tls.key');
    writeFileSync(certFile, first.cert);
    writeFileSync(keyFile, first.key);
    server = await startTestServer({ tlsCertFile: certFile, tlsKeyFile: keyFile });
    server.ca = ca.cert;
  });
  after(() => server.stop());

  it('serves a changed certificate to new connections; an open keep-alive connection keeps working', async () => {
    const oldFingerprint = describeCertificate(readFileSync(certFile)).fingerprint256;
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ca.cert });
    try {
      const first = await call(server, { body: review(pod()), agent });
      assert.equal(first.socket.getPeerCertificate().fingerprint256, oldFingerprint);

      const next = await serverCertificate(ca, new Date(), 10);
      const newFingerprint = describeCertificate(next.cert).fingerprint256;
      replaceFile(keyFile, next.key);
      replaceFile(certFile, next.cert);
      await until('a new connection to see the new certificate', async () => {
        const socket = await handshake(server.port, { ca: ca.cert });
        const seen = socket.getPeerCertificate().fingerprint256;
        socket.destroy();
        return seen === newFingerprint;
      });

      const second = await call(server, { body: review(pod()), agent });
      assert.equal(second.status, 200);
      assert.equal(second.localPort, first.localPort, 'the same connection');
      assert.equal(second.socket.getPeerCertificate().fingerprint256, oldFingerprint, 'still the old session');
      const fresh = await call(server, { body: review(pod()) });
      assert.equal(fresh.socket.getPeerCertificate().fingerprint256, newFingerprint);

      const text = await getMetrics(server);
      assert.ok(metricValue(text, 'gracekeeper_certificate_reloads_total{result="success"}') >= 1);
      const expiry = metricValue(text, 'gracekeeper_certificate_expiry_seconds');
      assert.ok(expiry > 9 * 86400 && expiry <= 10 * 86400, `expiry gauge ${expiry}`);
    } finally {
      agent.destroy();
    }
  });

  it('keeps serving the last good certificate when the files are broken', async () => {
    const before = describeCertificate(readFileSync(certFile)).fingerprint256;
    const other = await serverCertificate(ca, new Date(), 10);
    replaceFile(certFile, 'not a certificate');
    await server.checkFiles();
    replaceFile(keyFile, other.key); // a key that does not match the (broken, then old) cert
    await server.checkFiles();
    const reply = await call(server, { body: review(pod()) });
    assert.equal(reply.status, 200);
    assert.equal(reply.socket.getPeerCertificate().fingerprint256, before);
    assert.ok(server.logs.lines.some((l) => l.level === 'warn' && /still serving the previous certificate/.test(String(l.msg))));
    const text = await getMetrics(server);
    assert.ok(metricValue(text, 'gracekeeper_certificate_reloads_total{result="failure"}') >= 1);
    // The pair completed: taken up.
    replaceFile(certFile, other.cert);
    await server.checkFiles();
    const after = await call(server, { body: review(pod()) });
    assert.equal(after.socket.getPeerCertificate().fingerprint256, describeCertificate(other.cert).fingerprint256);
  });
});
