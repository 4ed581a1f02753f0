// The peer benchmarks' namespace (bench/peers/main.ts, bench/peers/baseline.ts): created and opted
// in on a fresh control plane, with the admin's client certificate for the load generator.
import { readFileSync } from 'node:fs';
import type { ControlPlane } from '../../test/e2e/cluster.js';
import type { Tls } from './load.js';
import { NAMESPACE } from './pods.js';

/** Creates NAMESPACE, opts it in, waits for its default ServiceAccount; returns the load's TLS. */
export async function prepareNamespace(cp: ControlPlane): Promise<Tls> {
  await cp.kubectl(['create', 'namespace', NAMESPACE]);
  await cp.kubectl(['label', 'namespace', NAMESPACE, 'gracekeeper.io/inject=enabled']);
  await cp.kubectl([
    'wait',
    '--for=jsonpath={.metadata.name}=default',
    '-n',
    NAMESPACE,
    'serviceaccount/default',
    '--timeout=60s',
  ]);
  return {
    ca: cp.caPem,
    cert: readFileSync(cp.pki.admin.certPath, 'utf8'),
    key: readFileSync(cp.pki.admin.keyPath, 'utf8'),
  };
}
