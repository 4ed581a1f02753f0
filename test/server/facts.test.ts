// The facts the edge gathers for one admission (src/http/facts.ts): what sends the pods traffic
// reaches the engine's input whichever way the rest is gathered, from the caches at once or with a
// lookup of the Namespace, so that `pre-stop-sleep: auto` sees a Service in front of the pods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryNamespaceSource, StaticVersionSource } from '../../src/cluster/memory.js';
import { MemoryTrafficSource } from '../../src/cluster/traffic-source.js';
import { gatherInput } from '../../src/http/facts.js';
import type { AdmissionRequest } from '../../src/http/review-codec.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';

const deployment = (namespace: string): AdmissionRequest => ({
  uid: 'u',
  kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
  operation: 'CREATE',
  namespace,
  name: 'web',
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
    },
  },
  dryRun: false,
});

function sources() {
  const namespaces = new MemoryNamespaceSource();
  const traffic = new MemoryTrafficSource();
  for (const ns of ['cached', 'new']) {
    traffic.index.upsert('Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' } },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, externalTrafficPolicy: 'Local' },
    });
  }
  namespaces.set('cached', {});
  return { namespaces, traffic, version: new StaticVersionSource() };
}

describe('facts of an admission', () => {
  it('carry the traffic paths when the Namespace is in the cache (nothing to look up)', async () => {
    const facts = await gatherInput(sources())(deployment('cached'), DEFAULT_CLUSTER_SETTINGS);
    assert.deepEqual(
      facts.traffic?.services.map((s) => s.service.name),
      ['web'],
    );
  });

  it('carry them as well when the Namespace is looked up', async () => {
    const s = sources();
    s.namespaces.lookup = () => Promise.resolve({ labels: {}, annotations: {} });
    const facts = await gatherInput(s)(deployment('new'), DEFAULT_CLUSTER_SETTINGS);
    assert.deepEqual(
      facts.traffic?.services.map((p) => p.service.name),
      ['web'],
    );
  });
});
