// A local CA and a serving certificate for localhost, for running without --tls-cert-file. The CA
// is kept in the directory and reused while it is valid (so a local API server configured with it
// keeps working across restarts); the serving certificate is made anew at every start.
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { contextOptions } from './tls.js';

export interface SelfSignedFiles {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Whether an existing CA in the directory was reused. */
  reusedCa: boolean;
}

const DAY = 86_400_000;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

async function loadCa(dir: string, now: Date): Promise<{ cert: string; key: string } | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(join(dir, 'ca.crt'), 'utf8'), readFile(join(dir, 'ca.key'), 'utf8')]);
    const x509 = new X509Certificate(cert);
    contextOptions(Buffer.from(cert), Buffer.from(key));
    if (!x509.ca || new Date(x509.validTo).getTime() - now.getTime() < 30 * DAY) return undefined;
    return { cert, key };
  } catch {
    return undefined;
  }
}

async function newCa(now: Date): Promise<{ cert: string; key: string }> {
  const ca = await generate([{ name: 'commonName', value: 'gracekeeper local CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 5 * 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

/** A serving certificate for localhost, 127.0.0.1, ::1 and this host's name, signed by `ca`. */
export async function serverCertificate(
  ca: { cert: string; key: string },
  now: Date,
  days = 365,
): Promise<{ cert: string; key: string }> {
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ca,
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + days * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...['localhost', hostname().toLowerCase()]
            .filter((h, i, all) => DNS_NAME.test(h) && all.indexOf(h) === i)
            .map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: leaf.cert, key: leaf.private };
}

export async function newCertificateAuthority(now = new Date()): Promise<{ cert: string; key: string }> {
  return newCa(now);
}

async function writeAll(dir: string, ca: { cert: string; key: string }, leaf: { cert: string; key: string }) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  await writeFile(files.caFile, ca.cert);
  await writeFile(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
  await writeFile(files.certFile, leaf.cert);
  await writeFile(files.keyFile, leaf.key, { mode: 0o600 });
  await chmod(join(dir, 'ca.key'), 0o600);
  await chmod(files.keyFile, 0o600);
  return files;
}

/** Makes (or reuses) the CA in `dir` and a fresh serving certificate; falls back to a temp dir. */
export async function ensureSelfSigned(dir: string, now = new Date()): Promise<SelfSignedFiles> {
  const existing = await loadCa(dir, now);
  const ca = existing ?? (await newCa(now));
  const leaf = await serverCertificate(ca, now);
  try {
    return { dir, ...(await writeAll(dir, ca, leaf)), reusedCa: existing !== undefined };
  } catch {
    const fallback = await mkdtemp(join(tmpdir(), 'gracekeeper-'));
    return { dir: fallback, ...(await writeAll(fallback, ca, leaf)), reusedCa: existing !== undefined };
  }
}
