// The serving certificate: loaded from --tls-cert-file/--tls-key-file, checked (the key must match),
// and swapped into the running server with setSecureContext when the files change. New connections
// get the new certificate within a poll interval; open connections keep theirs and stay open.
// Within a week of its notAfter, and once past it, the log says so (again at most once an hour).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { watchFiles, type FileWatch } from './file-watch.js';
import type { Metrics } from '../metrics/metrics.js';
import { DEFAULT_MIN_VERSION, tlsPolicy } from './tls-policy.js';
import { clientCertOptions } from '../http/client-auth.js';
import type { SecureVersion } from 'node:tls';

export const MIN_TLS_VERSION = DEFAULT_MIN_VERSION;
/** With less than this left before notAfter, the log warns about the serving certificate. */
export const EXPIRY_WARNING_MS = 7 * 24 * 3600_000;
/** A warning about the same certificate, in the same state, is repeated at most this often. */
export const EXPIRY_REPEAT_MS = 3600_000;

export interface CertificateInfo {
  notAfter: Date;
  subject: string;
  fingerprint256: string;
}

/** The TLS options for a certificate and key; throws when they are unusable or do not match. */
export function contextOptions(
  cert: Buffer,
  key: Buffer,
  minVersion: SecureVersion = MIN_TLS_VERSION,
  clientCa?: Buffer,
): SecureContextOptions & { cert: Buffer; key: Buffer } {
  // The client CA is part of the secure context: a reloaded certificate must carry it too.
  const options = { ...tlsPolicy(minVersion), cert, key, ...(clientCa ? { ca: clientCa } : {}) };
  createSecureContext(options); // throws on a bad PEM or "key values mismatch"
  return options;
}

/** notAfter, subject and fingerprint of the first certificate of a PEM bundle. */
export function describeCertificate(pem: Buffer | string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return { notAfter: new Date(cert.validTo), subject: cert.subject.replace(/\n/g, ', '), fingerprint256: cert.fingerprint256 };
}

/** The log line for a certificate near or past its notAfter at `now`; undefined with a week or more left. */
export function expiryWarning(info: CertificateInfo, now: number): { level: 'warn' | 'error'; message: string } | undefined {
  const left = info.notAfter.getTime() - now;
  if (left >= EXPIRY_WARNING_MS) return undefined;
  if (left <= 0) {
    return {
      level: 'error',
      message:
        'the serving certificate has expired: the API server refuses it on new connections; ' +
        'replace the files (they are reloaded without a restart)',
    };
  }
  const hours = left / 3600_000;
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const inWords =
    hours >= 48
      ? count(Math.floor(hours / 24), 'day')
      : hours >= 2
        ? count(Math.floor(hours), 'hour')
        : count(Math.ceil(left / 60_000), 'minute');
  return {
    level: 'warn',
    message: `the serving certificate expires in ${inWords}: renew it (the files are reloaded without a restart)`,
  };
}

export class ServingCertificate {
  private watcher?: FileWatch;
  private expiryTimer?: NodeJS.Timeout;
  private warned?: { fingerprint256: string; level: string; at: number };

  private constructor(
    readonly certFile: string,
    readonly keyFile: string,
    private material: { cert: Buffer; key: Buffer },
    private current: CertificateInfo,
    private readonly minVersion: SecureVersion,
    private readonly clientCa?: Buffer,
  ) {}

  /** With clientCa, clients are asked for a certificate verified against it (src/http/client-auth.ts). */
  static async load(
    certFile: string,
    keyFile: string,
    minVersion: SecureVersion = MIN_TLS_VERSION,
    clientCa?: Buffer,
  ): Promise<ServingCertificate> {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    try {
      contextOptions(cert, key, minVersion, clientCa);
      return new ServingCertificate(certFile, keyFile, { cert, key }, describeCertificate(cert), minVersion, clientCa);
    } catch (err) {
      throw new Error(`--tls-cert-file ${certFile} / --tls-key-file ${keyFile}: ${(err as Error).message}`, { cause: err });
    }
  }

  options(): SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean } {
    return { ...this.material, ...tlsPolicy(this.minVersion), ...(this.clientCa ? clientCertOptions(this.clientCa) : {}) };
  }

  info(): CertificateInfo {
    return this.current;
  }

  /**
   * Logs the expiry warning if one is due: at once for a new certificate or a new state (expiring,
   * expired), else at most once an hour.
   */
  checkExpiry(log: Logger, now = Date.now()): void {
    const warning = expiryWarning(this.current, now);
    if (!warning) {
      this.warned = undefined;
      return;
    }
    const last = this.warned;
    const same = last?.fingerprint256 === this.current.fingerprint256 && last.level === warning.level;
    if (last && same && now - last.at < EXPIRY_REPEAT_MS) return;
    this.warned = { fingerprint256: this.current.fingerprint256, level: warning.level, at: now };
    const fields = {
      subject: this.current.subject,
      notAfter: this.current.notAfter.toISOString(),
      expiresInSeconds: Math.round((this.current.notAfter.getTime() - now) / 1000),
    };
    if (warning.level === 'error') log.error(fields, warning.message);
    else log.warn(fields, warning.message);
  }

  /** Serves changed files to new connections; a half-written or mismatched pair is retried. */
  watch(server: Server, intervalMs: number, log: Logger, metrics: Metrics): void {
    if (this.watcher) return;
    this.checkExpiry(log);
    // Checked as often as the files are polled (a date comparison), so that the moment it expires is logged.
    this.expiryTimer = setInterval(() => this.checkExpiry(log), intervalMs);
    this.expiryTimer.unref();
    this.watcher = watchFiles([this.certFile, this.keyFile], {
      intervalMs,
      initial: [this.material.cert, this.material.key],
      onChange: ([cert, key]) => {
        if (!cert || !key) return;
        try {
          const options = contextOptions(cert, key, this.minVersion, this.clientCa);
          const info = describeCertificate(cert);
          server.setSecureContext(options);
          this.material = { cert, key };
          this.current = info;
          metrics.certificateReloads.inc({ result: 'success' });
          log.info(
            { subject: info.subject, notAfter: info.notAfter.toISOString(), fingerprint256: info.fingerprint256 },
            'serving certificate reloaded',
          );
          this.checkExpiry(log);
        } catch (err) {
          // Often the cert is written before its key: the next change or poll picks up the pair.
          metrics.certificateReloads.inc({ result: 'failure' });
          log.warn(
            { certFile: this.certFile, keyFile: this.keyFile, err },
            'new certificate files not usable yet; still serving the previous certificate',
          );
        }
      },
      onError: (err) => {
        metrics.certificateReloads.inc({ result: 'failure' });
        log.warn({ err }, 'cannot read the certificate files; still serving the previous certificate');
      },
    });
  }

  async check(): Promise<void> {
    await this.watcher?.check();
  }

  close(): void {
    clearInterval(this.expiryTimer);
    this.watcher?.close();
  }
}
