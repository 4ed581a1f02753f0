// --client-ca: the CA bundle whose certificates the API server's client certificate must chain to
// (the admission kubeconfig of the API server's AdmissionConfiguration: docs/operations.md). Read
// once at start, bounded, and checked to hold at least one certificate, with a message that names
// the flag and what was wrong; never its contents.
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** A CA bundle larger than this is not one (a few certificates are a few KiB). */
export const MAX_CLIENT_CA_BYTES = 256 * 1024;
/** Certificates in the bundle, at most. */
export const MAX_CLIENT_CA_CERTS = 64;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export interface ClientCa {
  file: string;
  pem: Buffer;
  /** Subjects of its certificates, for the start-up log. */
  subjects: string[];
}

/** Reads and checks the bundle; throws an Error whose message names the flag and the file. */
export async function loadClientCa(file: string): Promise<ClientCa> {
  const fail = (why: string): never => {
    throw new Error(`--client-ca ${JSON.stringify(file.slice(0, 200))}: ${why}`);
  };
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    return fail(`cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > MAX_CLIENT_CA_BYTES) fail(`${size} bytes; a CA bundle has at most ${MAX_CLIENT_CA_BYTES}`);
  const pem = await readFile(file);
  const blocks = pem.toString('latin1').match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) fail('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (blocks.length > MAX_CLIENT_CA_CERTS) fail(`holds ${blocks.length} certificates; at most ${MAX_CLIENT_CA_CERTS}`);
  const subjects = blocks.map((block, i) => {
    try {
      const cert = new X509Certificate(block);
      if (!cert.ca) fail(`certificate ${i + 1} is not a CA certificate (basicConstraints CA:FALSE)`);
      return cert.subject.replace(/\n/g, ', ').slice(0, 200);
    } catch (err) {
      if ((err as Error).message.startsWith('--client-ca')) throw err;
      return fail(`certificate ${i + 1} cannot be parsed`);
    }
  });
  return { file, pem, subjects };
}
