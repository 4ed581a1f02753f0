// Owner lookups only where the request could be real (issue 24): a caller that reaches /mutate and
// names a workload of another namespace in a made-up controller reference learns nothing of its
// gracekeeper.io/* annotations: the reference's uid must be the workload's, a reference without a
// uid reads nothing, and only metadata is asked for (PartialObjectMetadata), over a real HTTP GET.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { apiMetadataReader, OwnerLookup, PARTIAL_METADATA } from '../../src/cluster/owner-lookup.js';

const rs = {
  apiVersion: 'meta.k8s.io/v1',
  kind: 'PartialObjectMetadata',
  metadata: {
    name: 'web-5d4',
    namespace: 'payments',
    uid: 'rs-uid',
    annotations: { 'gracekeeper.io/pre-stop-sleep': '40s', 'other.io/secret-ish': 'x' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-uid', controller: true }],
  },
};
const dep = {
  ...rs,
  metadata: { name: 'web', namespace: 'payments', uid: 'dep-uid', annotations: { 'gracekeeper.io/drain-timeout': '30s' } },
};

describe('owner lookups', () => {
  const accepts: string[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    accepts.push(String(req.headers.accept));
    paths.push(req.url ?? '');
    const body =
      req.url === '/apis/apps/v1/namespaces/payments/replicasets/web-5d4'
        ? rs
        : req.url?.endsWith('/deployments/web')
          ? dep
          : undefined;
    res
      .writeHead(body ? 200 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify(body ?? { kind: 'Status', code: 404 }));
  });
  after(() => server.close());

  it("reads metadata only, and answers only a reference whose uid is the workload's", async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const lookup = new OwnerLookup(apiMetadataReader(kc));
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4' };
    assert.deepEqual(await lookup.annotations('payments', { ...ref, uid: 'rs-uid' }), {
      'gracekeeper.io/pre-stop-sleep': '40s',
      'gracekeeper.io/drain-timeout': '30s',
    });
    assert.ok(
      accepts.every((a) => a === PARTIAL_METADATA),
      accepts.join(' | '),
    );
    assert.deepEqual(paths, [
      '/apis/apps/v1/namespaces/payments/replicasets/web-5d4',
      '/apis/apps/v1/namespaces/payments/deployments/web',
    ]);
    assert.equal(await lookup.annotations('payments', { ...ref, uid: 'guessed' }), undefined, 'a wrong uid learns nothing');
    assert.equal(await lookup.annotations('payments', ref), undefined, 'no uid: nothing read');
    assert.equal(paths.length, 3, 'the wrong uid cost one GET, the missing uid none');
    assert.equal(await lookup.annotations('payments', { ...ref, name: 'gone', uid: 'x' }), undefined);
  });
});
