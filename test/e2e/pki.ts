// Certificates and keys for a throw-away e2e control plane, made with the openssl command line
// (Node can make keys but not sign X.509 certificates). ECDSA P-256 throughout: key generation
// is instant, and every Kubernetes component accepts it.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertPair {
  certPath: string;
  keyPath: string;
}

export interface ControlPlanePki {
  dir: string;
  ca: CertPair;
  /** The API server's serving certificate (SANs 127.0.0.1, localhost, kubernetes.default...). */
  apiserver: CertPair;
  /** Client certificate of the admin user, group system:masters. */
  admin: CertPair;
  /** Client certificate of the user system:kube-controller-manager (bootstrap RBAC binds it). */
  controllerManager: CertPair;
  /** Service-account token signing key (private) and verification key (public). */
  serviceAccountKeyPath: string;
  serviceAccountPubPath: string;
}

export const OPENSSL = process.env.OPENSSL ?? 'openssl';
const DAYS = '2';

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run(OPENSSL, args, { cwd: dir });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

async function makeCa(dir: string, cn = 'gracekeeper-e2e-ca'): Promise<CertPair> {
  const pair = { certPath: join(dir, 'ca.crt'), keyPath: join(dir, 'ca.key') };
  await openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-keyout',
    pair.keyPath,
    '-out',
    pair.certPath,
    '-days',
    DAYS,
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return pair;
}

/** Issues a leaf certificate signed by the CA (OpenSSL 3: `req -x509 -CA` signs in one step). */
async function issue(dir: string, ca: CertPair, name: string, subject: string, extensions: string[]): Promise<CertPair> {
  const pair = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
  const args = [
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-keyout',
    pair.keyPath,
    '-out',
    pair.certPath,
    '-days',
    DAYS,
    '-subj',
    subject,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
  ];
  for (const ext of extensions) args.push('-addext', ext);
  await openssl(dir, args);
  return pair;
}

/** Writes a fresh PKI into `dir`; `serviceIp` is the first IP of the service range. */
export async function createPki(dir: string, serviceIp: string): Promise<ControlPlanePki> {
  const ca = await makeCa(dir);
  const sans = [
    'IP:127.0.0.1',
    'DNS:localhost',
    `IP:${serviceIp}`,
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ].join(',');
  const client = 'extendedKeyUsage=clientAuth';
  const [apiserver, admin, controllerManager] = await Promise.all([
    issue(dir, ca, 'apiserver', '/CN=kube-apiserver', [`subjectAltName=${sans}`, 'extendedKeyUsage=serverAuth']),
    issue(dir, ca, 'admin', '/O=system:masters/CN=gracekeeper-e2e-admin', [client]),
    issue(dir, ca, 'controller-manager', '/CN=system:kube-controller-manager', [client]),
  ]);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serviceAccountKeyPath = join(dir, 'sa.key');
  const serviceAccountPubPath = join(dir, 'sa.pub');
  await writeFile(serviceAccountKeyPath, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  await writeFile(serviceAccountPubPath, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    dir,
    ca,
    apiserver,
    admin,
    controllerManager,
    serviceAccountKeyPath,
    serviceAccountPubPath,
  };
}

export interface ServingPki {
  ca: CertPair;
  serving: CertPair;
}

/**
 * A fresh CA (its own key, so every call gives a CA no earlier certificate chains to) and a
 * serving certificate it signs, for a webhook on loopback: SANs 127.0.0.1 and localhost.
 */
export async function createServingPki(dir: string, cn: string): Promise<ServingPki> {
  const ca = await makeCa(dir, `${cn}-ca`);
  const serving = await issue(dir, ca, 'serving', `/CN=${cn}`, [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'extendedKeyUsage=serverAuth',
  ]);
  return { ca, serving };
}

/** A client certificate signed by the control plane's CA: authenticates as user CN, groups O. */
export async function issueClientCert(
  dir: string,
  ca: CertPair,
  name: string,
  user: string,
  groups: string[] = [],
): Promise<CertPair> {
  const subject = [...groups.map((g) => `/O=${g}`), `/CN=${user}`].join('');
  return issue(dir, ca, name, subject, ['extendedKeyUsage=clientAuth']);
}

/**
 * A CA of its own for client certificates (the webhook's --client-ca) in `dir`, and a client
 * certificate it signs for `cn` (the API server's, in its admission kubeconfig).
 */
export async function createClientPki(dir: string, cn: string): Promise<{ ca: CertPair; client: CertPair }> {
  const ca = await makeCa(dir, `${cn}-client-ca`);
  const client = await issue(dir, ca, 'client', `/CN=${cn}`, ['extendedKeyUsage=clientAuth']);
  return { ca, client };
}
