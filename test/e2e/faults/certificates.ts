// Serving certificates with any validity for a running gracekeeper, signed by the CA its webhook
// configuration already trusts (the one test/e2e/gracekeeper.ts made for it), written over its
// files the way a Secret update lands: the key, then the certificate, each renamed into place.
// `openssl ca` takes exact start and end dates (`req -x509` in OpenSSL 3.0 only takes days), and
// its issuer name is the CA's subject byte for byte, as the API server's Go verifier requires.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Gracekeeper } from '../gracekeeper.js';
import { OPENSSL } from '../pki.js';

const run = promisify(execFile);

const CONFIG = `[ ca ]
default_ca = issuer
[ issuer ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
x509_extensions = leaf
[ anything ]
commonName = supplied
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
`;

/** openssl's UTCTime: YYMMDDHHMMSSZ. */
function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
}

/** Writes a new serving certificate for 127.0.0.1 and localhost, valid until `notAfter` (ms). */
export async function writeServingCertificate(gk: Gracekeeper, notAfter: number): Promise<void> {
  const pki = join(gk.dir, 'pki');
  const dir = await mkdtemp(join(tmpdir(), 'gracekeeper-e2e-cert-'));
  try {
    await writeFile(join(dir, 'ca.cnf'), CONFIG);
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(join(dir, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
    const openssl = (args: string[]) => run(OPENSSL, args, { cwd: dir });
    await openssl([
      'req',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-keyout',
      'tls.key',
      '-out',
      'tls.csr',
      '-subj',
      '/CN=gracekeeper',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    await openssl([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      join(pki, 'ca.crt'),
      '-keyfile',
      join(pki, 'ca.key'),
      '-in',
      'tls.csr',
      '-out',
      'tls.crt',
      '-notext',
      '-startdate',
      utcTime(Math.min(Date.now(), notAfter) - 60_000),
      '-enddate',
      utcTime(notAfter),
    ]);
    for (const [from, to] of [
      ['tls.key', gk.keyFile],
      ['tls.crt', gk.certFile],
    ] as const) {
      await writeFile(`${to}.new`, await readFile(join(dir, from)), { mode: 0o600 });
      await rename(`${to}.new`, to);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
