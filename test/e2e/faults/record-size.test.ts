// Workloads whose record would once have been too large to read back, on a real API server and
// controller-manager: a Deployment with one huge unknown gracekeeper.io/ annotation (70 KB: the
// API server takes up to 256 KiB of annotations), and one with 300 containers of 60-character
// names (a record of about 90 KB). Each must make one ReplicaSet and stop there: a record that
// did not read back made every ReplicaSet's admission rewrite its template, and the Deployment
// controller then made another ReplicaSet, again and again (19 in 12 s before the fix).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from '../ensure-binaries.js';
import type { Obj } from '../kube.js';
import { faultCluster, sleep, type FaultCluster } from './fixture.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };

function deployment(name: string, ns: string, annotations: Record<string, string>, containers: Obj[]): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

const container = (name: string): Obj => ({ name, image: 'registry.invalid/app:1', ports: [{ containerPort: 8080 }] });

describe('workloads with a large record', opts, () => {
  let f: FaultCluster;
  before(async () => {
    if (!skip) f = await faultCluster();
  });
  after(() => f?.stop());

  it('make one ReplicaSet each, not one after another', async () => {
    const { kube } = f;
    const ns = await kube.namespace('record-size');
    const many = Array.from({ length: 300 }, (_, i) => container(`c${String(i).padStart(59, '0')}`));
    await kube.apply([
      deployment('huge-annotation', ns, { 'gracekeeper.io/pre-stop-slep': 'x'.repeat(70_000) }, [container('app')]),
      deployment('many-containers', ns, {}, many),
    ]);
    await sleep(8000); // the controllers' churn, if any, shows by now
    const sets = await kube.list(`/apis/apps/v1/namespaces/${ns}/replicasets`);
    const byOwner = (name: string) =>
      sets.filter((rs) => (rs.metadata.ownerReferences as Obj[] | undefined)?.some((o) => o.name === name)).length;
    const record = (rs: Obj) => String(rs.spec.template.metadata.annotations?.['gracekeeper.io/injected'] ?? '').length;
    process.stderr.write(
      `e2e faults: large records: ${byOwner('huge-annotation')} and ${byOwner('many-containers')} ReplicaSets; records of ` +
        `${sets.map(record).join(', ')} characters\n`,
    );
    assert.equal(byOwner('huge-annotation'), 1);
    assert.equal(byOwner('many-containers'), 1);
    assert.ok(
      sets.every((rs) => record(rs) > 0),
      'each ReplicaSet carries the record',
    );
  });
});
