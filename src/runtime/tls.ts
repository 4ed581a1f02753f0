// The serving certificate: loaded from --tls-cert-file/--tls-key-file, checked (the key must match),
// and swapped into the running server with setSecureContext when the files change. New connections
// get the new certificate within a poll interval; open connections keep theirs and stay open.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { watchFiles, type FileWatch } from './file-watch.js';
import type { Metrics } from './metrics.js';

export const MIN_TLS_VERSION = 'TLSv1.2';

export interface CertificateInfo {
  notAfter: Date;
  subject: string;
  fingerprint256: string;
}

/** The TLS options for a certificate and key; throws when they are unusable or do not match. */
export function contextOptions(cert: Buffer, key: Buffer): SecureContextOptions & { cert: Buffer; key: Buffer } {
  const options = { cert, key, minVersion: MIN_TLS_VERSION } as const;
  createSecureContext(options); // throws on a bad PEM or "key values mismatch"
  return options;
}

/** notAfter, subject and fingerprint of the first certificate of a PEM bundle. */
export function describeCertificate(pem: Buffer | string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return { notAfter: new Date(cert.validTo), subject: cert.subject.replace(/\n/g, ', '), fingerprint256: cert.fingerprint256 };
}

export class ServingCertificate {
  private watcher?: FileWatch;

  private constructor(
    readonly certFile: string,
    readonly keyFile: string,
    private material: { cert: Buffer; key: Buffer },
    private current: CertificateInfo,
  ) {}

  static async load(certFile: string, keyFile: string): Promise<ServingCertificate> {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    try {
      contextOptions(cert, key);
      return new ServingCertificate(certFile, keyFile, { cert, key }, describeCertificate(cert));
    } catch (err) {
      throw new Error(`--tls-cert-file ${certFile} / --tls-key-file ${keyFile}: ${(err as Error).message}`, { cause: err });
    }
  }

  options(): SecureContextOptions {
    return { ...this.material, minVersion: MIN_TLS_VERSION };
  }

  info(): CertificateInfo {
    return this.current;
  }

  /** Serves changed files to new connections; a half-written or mismatched pair is retried. */
  watch(server: Server, intervalMs: number, log: Logger, metrics: Metrics): void {
    if (this.watcher) return;
    this.watcher = watchFiles([this.certFile, this.keyFile], {
      intervalMs,
      initial: [this.material.cert, this.material.key],
      onChange: ([cert, key]) => {
        if (!cert || !key) return;
        try {
          const options = contextOptions(cert, key);
          const info = describeCertificate(cert);
          server.setSecureContext(options);
          this.material = { cert, key };
          this.current = info;
          metrics.certificateReloads.inc({ result: 'success' });
          log.info(
            { subject: info.subject, notAfter: info.notAfter.toISOString(), fingerprint256: info.fingerprint256 },
            'serving certificate reloaded',
          );
        } catch (err) {
          // Often the cert is written before its key: the next change or poll picks up the pair.
          metrics.certificateReloads.inc({ result: 'failure' });
          log.warn(
            { certFile: this.certFile, keyFile: this.keyFile, err: (err as Error).message },
            'new certificate files not usable yet; still serving the previous certificate',
          );
        }
      },
      onError: (err) => {
        metrics.certificateReloads.inc({ result: 'failure' });
        log.warn({ err: err.message }, 'cannot read the certificate files; still serving the previous certificate');
      },
    });
  }

  async check(): Promise<void> {
    await this.watcher?.check();
  }

  close(): void {
    this.watcher?.close();
  }
}
