// The serving certificate's expiry: the metric counts down, and within a week of notAfter (and once
// past it) the log says so, at start, at once for a new certificate or state, else at most hourly.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newCertificateAuthority, serverCertificate } from '../../src/runtime/self-signed.js';
import { ServingCertificate, EXPIRY_REPEAT_MS } from '../../src/runtime/tls.js';
import { pod } from './fixtures.js';
import { call, captureLogger, getMetrics, metricValue, replaceFile, review, startTestServer, tempDir, until } from './helpers.js';
import type { TestServer } from './helpers.js';

const DAY = 86_400_000;

async function certificateFiles(ca: { cert: string; key: string }, notBefore: Date, days: number) {
  const dir = tempDir();
  const pair = await serverCertificate(ca, notBefore, days);
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  writeFileSync(files.certFile, pair.cert);
  writeFileSync(files.keyFile, pair.key);
  return { ...files, pair };
}

describe('certificate expiry warnings', () => {
  let ca: { cert: string; key: string };
  before(async () => {
    ca = await newCertificateAuthority();
  });

  it('says nothing with a week or more left', async () => {
    const files = await certificateFiles(ca, new Date(), 8);
    const cert = await ServingCertificate.load(files.certFile, files.keyFile);
    const logs = captureLogger();
    cert.checkExpiry(logs.logger);
    assert.deepEqual(logs.lines, []);
  });

  it('warns under a week, again only after an hour; an expired certificate is an error at once', async () => {
    const files = await certificateFiles(ca, new Date(), 3);
    const cert = await ServingCertificate.load(files.certFile, files.keyFile);
    const notAfter = cert.info().notAfter.getTime();
    const logs = captureLogger();
    const t0 = Date.now();
    cert.checkExpiry(logs.logger, t0);
    assert.equal(logs.lines.length, 1);
    assert.equal(logs.lines[0]?.level, 'warn');
    assert.match(String(logs.lines[0]?.msg), /^the serving certificate expires in 2 days: renew it/);
    assert.equal(logs.lines[0]?.notAfter, new Date(notAfter).toISOString());
    for (const later of [1000, 30 * 60_000, EXPIRY_REPEAT_MS - 1]) cert.checkExpiry(logs.logger, t0 + later);
    assert.equal(logs.lines.length, 1, 'not repeated within the hour');
    cert.checkExpiry(logs.logger, t0 + EXPIRY_REPEAT_MS);
    assert.equal(logs.lines.length, 2, 'repeated after an hour');
    // Each an hour after the last: the words follow the time left.
    cert.checkExpiry(logs.logger, notAfter - 30_000 - 2 * EXPIRY_REPEAT_MS);
    assert.match(String(logs.lines.at(-1)?.msg), /expires in 2 hours:/);
    cert.checkExpiry(logs.logger, notAfter - 30_000 - EXPIRY_REPEAT_MS);
    assert.match(String(logs.lines.at(-1)?.msg), /expires in 61 minutes:/);
    cert.checkExpiry(logs.logger, notAfter - 30_000);
    assert.match(String(logs.lines.at(-1)?.msg), /expires in 1 minute:/);
    const count: number = logs.lines.length;
    cert.checkExpiry(logs.logger, notAfter + 1000);
    assert.equal(logs.lines.length, count + 1, 'the moment it expires is logged, within the hour of the last warning');
    assert.equal(logs.lines.at(-1)?.level, 'error');
    assert.match(String(logs.lines.at(-1)?.msg), /^the serving certificate has expired/);
    assert.ok(Number(logs.lines.at(-1)?.expiresInSeconds) <= -1);
  });
});

describe('a server whose certificate is about to expire', () => {
  let server: TestServer;
  let ca: { cert: string; key: string };
  let files: { certFile: string; keyFile: string };
  before(async () => {
    ca = await newCertificateAuthority();
    files = await certificateFiles(ca, new Date(), 2);
    server = await startTestServer({ tlsCertFile: files.certFile, tlsKeyFile: files.keyFile });
    server.ca = ca.cert;
  });
  after(() => server.stop());

  it('warns at start, and the metric counts the seconds left', async () => {
    const warning = server.logs.lines.find((l) => /serving certificate expires in/.test(String(l.msg)));
    assert.equal(warning?.level, 'warn');
    const left = metricValue(await getMetrics(server), 'gracekeeper_certificate_expiry_seconds');
    assert.ok(left > 2 * 86400 - 120 && left <= 2 * 86400, `gauge ${left}`);
  });

  it('an expired certificate: an error line and a negative gauge; a renewed one is served without a restart', async () => {
    const expired = await serverCertificate(ca, new Date(Date.now() - 3 * DAY), 1);
    replaceFile(files.keyFile, expired.key);
    replaceFile(files.certFile, expired.cert);
    await server.checkFiles();
    const error = server.logs.lines.find((l) => /serving certificate has expired/.test(String(l.msg)));
    assert.equal(error?.level, 'error');
    assert.ok(metricValue(await getMetrics(server), 'gracekeeper_certificate_expiry_seconds') < -86000);
    await assert.rejects(call(server, { body: review(pod()) }), /certificate has expired/);

    const renewed = await serverCertificate(ca, new Date(), 30);
    replaceFile(files.keyFile, renewed.key);
    replaceFile(files.certFile, renewed.cert);
    await until(
      'the renewed certificate to be served',
      async () => (await call(server, { body: review(pod()) }).catch(() => undefined))?.status === 200,
    );
    assert.ok(metricValue(await getMetrics(server), 'gracekeeper_certificate_expiry_seconds') > 29 * 86400);
  });
});
