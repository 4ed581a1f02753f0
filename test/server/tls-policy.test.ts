// The webhook's TLS policy (issue 24), with real clients: on TLS 1.2 only ECDHE with AES-GCM or
// ChaCha20 (CBC, ARIA, CCM and RSA key exchange refused), client-initiated renegotiation refused,
// and --tls-min-version VersionTLS13 refusing 1.2. What Go's crypto/tls client offers by default
// (1.3; on 1.2 ECDHE-AES-GCM and ChaCha20) is accepted.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { parseMinVersion } from '../../src/runtime/tls-policy.js';
import { startTestServer, type TestServer } from './helpers.js';

function handshake(
  port: number,
  ca: string,
  options: { maxVersion?: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string },
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...options }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** s_client as a child (the server runs in this process: a synchronous spawn would block it). */
function sClient(
  port: number,
  args: string[],
  input = 'Q\n',
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    // Commands after the handshake: "R" renegotiates, "Q" quits.
    setTimeout(() => child.stdin.end(input), 1000);
  });
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('TLS policy of the webhook', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('TLS 1.2 with the suites Go offers first (ECDHE with AES-GCM, ChaCha20) is accepted', async () => {
    for (const cipher of [
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-CHACHA20-POLY1305',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
    ]) {
      const result = await handshake(server.port, server.ca, { maxVersion: 'TLSv1.2', ciphers: cipher }).then(
        (s) => {
          const name = s.getCipher().standardName;
          s.destroy();
          return name;
        },
        (err: Error) => `refused: ${err.message}`,
      );
      // The self-signed certificate's key decides ECDSA or RSA: exactly one of each pair can succeed.
      if (!result.startsWith('refused')) assert.match(result, /^TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_\d+_GCM|CHACHA20)/);
    }
    const any12 = await handshake(server.port, server.ca, { maxVersion: 'TLSv1.2' });
    assert.match(any12.getCipher().standardName, /ECDHE.*(GCM|CHACHA20)/);
    any12.destroy();
  });

  it('TLS 1.2 with CBC, RSA key exchange, ARIA or CCM suites is refused (node client)', async () => {
    for (const cipher of [
      'ECDHE-RSA-AES128-SHA',
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-RSA-AES256-SHA384',
      'ECDHE-ECDSA-AES256-SHA384',
      'AES128-GCM-SHA256',
      'AES256-SHA',
      'ECDHE-ECDSA-ARIA128-GCM-SHA256',
      'ECDHE-ARIA128-GCM-SHA256',
      'ECDHE-ECDSA-AES128-CCM',
    ]) {
      await assert.rejects(handshake(server.port, server.ca, { maxVersion: 'TLSv1.2', ciphers: cipher }), Error, cipher);
    }
  });

  it('openssl s_client: CBC refused on 1.2, client-initiated renegotiation refused', { skip: !hasOpenssl }, async () => {
    const cbc = await sClient(server.port, [
      '-tls1_2',
      '-cipher',
      'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384',
    ]);
    assert.notEqual(cbc.status, 0, cbc.stdout);
    assert.match(cbc.stdout + cbc.stderr, /handshake failure|no shared cipher|alert/i);
    const good = await sClient(server.port, ['-tls1_2']);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /Cipher is ECDHE-(RSA|ECDSA)-(AES\d+-GCM|CHACHA20)/);
    // "R" asks s_client to renegotiate; the server refuses (no_renegotiation alert or a closed connection).
    const reneg = await sClient(server.port, ['-tls1_2'], 'R\n');
    const text = reneg.stdout + reneg.stderr;
    assert.match(text, /RENEGOTIATING/);
    assert.match(text, /no renegotiation/, text.slice(-800));
    assert.notEqual(reneg.status, 0);
  });

  it('--tls-min-version VersionTLS13 refuses TLS 1.2; the flag takes only the two versions', async () => {
    assert.equal(parseMinVersion('VersionTLS13'), 'TLSv1.3');
    assert.equal(parseMinVersion('VersionTLS12'), 'TLSv1.2');
    assert.equal(parseMinVersion('VersionTLS11'), undefined);
    const strict = await startTestServer({ tlsMinVersion: 'TLSv1.3' });
    try {
      await assert.rejects(handshake(strict.port, strict.ca, { maxVersion: 'TLSv1.2' }));
      const ok = await handshake(strict.port, strict.ca, {});
      assert.equal(ok.getProtocol(), 'TLSv1.3');
      ok.destroy();
    } finally {
      await strict.stop();
    }
  });
});
