// The chart's generated certificates (certificates.source=generate): ECDSA P-256 keys, as
// scripts/certs.sh and cert-manager's Certificates use, where Helm's genCA/genSignedCert made
// RSA 2048. Rendered by the Helm of HELM_MAJOR (`make test` runs 4 and 3), parsed with
// node:crypto, and served over a real TLS connection that trusts only the rendered CA.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, it } from 'node:test';
import { one } from '../deploy/kustomize.js';
import { helmSkip, template } from './chart.js';

function rendered(): { ca: X509Certificate; cert: X509Certificate; key: KeyObject; pem: (k: string) => string } {
  const secret = one(template({ release: 'gk', namespace: 'platform' }), 'Secret', 'gk-gracekeeper-tls');
  const pem = (k: string) => Buffer.from(secret.data[k] as string, 'base64').toString();
  return {
    ca: new X509Certificate(pem('ca.crt')),
    cert: new X509Certificate(pem('tls.crt')),
    key: createPrivateKey(pem('tls.key')),
    pem,
  };
}

const isP256 = (k: KeyObject) => k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1';

describe('the chart generates ECDSA P-256 certificates', { skip: helmSkip }, () => {
  it('the CA, the serving certificate and its key are ECDSA P-256; the certificate verifies against the CA', () => {
    const { ca, cert, key } = rendered();
    assert.ok(
      isP256(ca.publicKey),
      `CA key: ${ca.publicKey.asymmetricKeyType} ${JSON.stringify(ca.publicKey.asymmetricKeyDetails)}`,
    );
    assert.ok(isP256(cert.publicKey), `serving key: ${cert.publicKey.asymmetricKeyType}`);
    assert.ok(isP256(key), 'tls.key is an EC P-256 private key');
    assert.ok(cert.checkPrivateKey(key), 'tls.key belongs to tls.crt');
    assert.ok(cert.verify(ca.publicKey), 'tls.crt is signed by ca.crt');
    assert.ok(cert.checkIssued(ca), 'ca.crt is the issuer of tls.crt');
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365.01, `valid 365 days (certificates.generate.days), got ${days.toFixed(2)}`);
  });

  it('each rendering makes new keys (nothing fixed in the chart)', () => {
    const a = rendered();
    const b = rendered();
    assert.notEqual(a.cert.fingerprint256, b.cert.fingerprint256);
    assert.notEqual(a.ca.fingerprint256, b.ca.fingerprint256);
  });

  it('a TLS client that trusts only ca.crt completes a handshake with the rendered pair for the Service name', async () => {
    const { pem } = rendered();
    const server = createServer({ cert: pem('tls.crt'), key: pem('tls.key') }, (s) => s.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ port, host: '127.0.0.1', ca: pem('ca.crt'), servername: 'gk-gracekeeper.platform.svc' }, () => {
          const peer = socket.getPeerCertificate();
          assert.equal(peer.asn1Curve ?? peer.nistCurve, peer.asn1Curve ? 'prime256v1' : 'P-256');
        });
        let text = '';
        socket.on('data', (d) => (text += String(d)));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.equal(answer, 'ok');
    } finally {
      server.close();
    }
  });
});
