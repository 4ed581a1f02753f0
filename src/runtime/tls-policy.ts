// What the webhook's TLS accepts: TLS 1.3, or 1.2 with ECDHE key exchange and AEAD ciphers only
// (AES-GCM, ChaCha20-Poly1305: no CBC, ARIA, CCM, no RSA key exchange), and no renegotiation.
// --tls-min-version VersionTLS13 drops 1.2. The API server's webhook client is Go's crypto/tls with
// its defaults: TLS 1.2 to 1.3, 1.3 preferred, and on 1.2 ECDHE with AES-GCM or ChaCha20 first
// (src/crypto/tls/defaults.go), so nothing it offers is refused (docs/operations.md).
import { constants } from 'node:crypto';
import type { SecureContextOptions, SecureVersion } from 'node:tls';

/** TLS 1.3's suites (all AEAD), then 1.2's ECDHE + AEAD suites, in OpenSSL's names. */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The flag's values, as Kubernetes components spell them (--tls-min-version), and the short ones. */
const VERSIONS: Record<string, SecureVersion> = {
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

export const DEFAULT_MIN_VERSION: SecureVersion = 'TLSv1.2';

/** The version for a flag's text, or undefined when it is not one of VersionTLS12, VersionTLS13. */
export function parseMinVersion(text: string): SecureVersion | undefined {
  return VERSIONS[text.trim()];
}

export function tlsPolicy(minVersion: SecureVersion = DEFAULT_MIN_VERSION): SecureContextOptions {
  return {
    minVersion,
    ciphers: CIPHERS,
    honorCipherOrder: true,
    // OpenSSL refuses every renegotiation (Node's own limit still allowed 3 per 10 minutes).
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
}
