// On a real API server and controller-manager: the webhook's matchConditions (deploy/base) skip
// the UPDATEs the Deployment controller makes to scale a ReplicaSet. A Deployment scaled 1 -> 20
// -> 1 (as `kubectl scale` does, through the scale subresource) is measured with the shipped
// webhook configuration and with its matchConditions removed: the calls gracekeeper receives, by
// kind and operation. Without the condition, every ReplicaSet UPDATE is answered with no patch
// (nothing lost by skipping them); with it, Pods, CREATEs and the Deployment's calls are the same,
// and a ReplicaSet UPDATE that changes a gracekeeper.io/ annotation is still sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from './ensure-binaries.js';
import { pointWebhookAt, type Gracekeeper, type LogLine } from './gracekeeper.js';
import { eventually, type Obj } from './kube.js';
import { deployment, P } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('matchConditions: calls saved while a Deployment scales', { skip: skip ?? false }, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;
  const counts: Record<string, Record<string, number>> = {};

  before(
    async () => {
      env = await startWebhookEnv();
      gk = await env.start('gracekeeper');
      await env.use(gk);
    },
    { timeout: 60 * 60_000 },
  );
  after(async () => {
    console.log(`webhook calls for a Deployment scaled 1 -> 20 -> 1: ${JSON.stringify(counts)}`);
    await env?.stop();
  });

  const podCount = async (ns: string) => (await env.kube.list(`/api/v1/namespaces/${ns}/pods`)).length;
  const scale = async (ns: string, replicas: number) => {
    const res = await env.cp.api('PUT', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`, {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas },
    });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    await eventually(`${replicas} pods in ${ns}`, async () => (await podCount(ns)) === replicas || undefined, {
      timeoutMs: 60_000,
      components: env.cp.components,
    });
  };
  const calls = (ns: string): LogLine[] => gk.logLines().filter((l) => l.msg === 'admission' && l.namespace === ns);
  const tally = (lines: LogLine[]) =>
    lines.reduce<Record<string, number>>((acc, l) => {
      const key = `${String(l.kind)} ${String(l.operation)}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});

  /** Creates the Deployment (1 replica), scales it to 20 and back; the calls made meanwhile. */
  async function measure(ns: string): Promise<LogLine[]> {
    await env.kube.namespace(ns);
    await env.kube.apply([deployment('web', ns, { replicas: 1 })]);
    await eventually('1 pod', async () => (await podCount(ns)) === 1 || undefined, { components: env.cp.components });
    await scale(ns, 20);
    await scale(ns, 1);
    await sleep(2000); // the controller's last status UPDATEs, and the log's batching (200 ms)
    return calls(ns);
  }

  it('without matchConditions: every ReplicaSet UPDATE of the scaling is sent, and none gets a patch', async () => {
    const mwc = pointWebhookAt(env.docs, gk.url, gk.caPem);
    for (const w of mwc.webhooks) delete w.matchConditions;
    await env.kube.apply(mwc);
    await sleep(2000); // the API server's informer takes the configuration up
    const lines = await measure('scale-without');
    counts.without = tally(lines);
    const rsUpdates = lines.filter((l) => l.kind === 'ReplicaSet' && l.operation === 'UPDATE');
    assert.ok(rsUpdates.length >= 2, `ReplicaSet UPDATEs sent: ${rsUpdates.length}`);
    assert.deepEqual(
      rsUpdates.filter((l) => (l.changes as unknown[]).length > 0),
      [],
      'no ReplicaSet UPDATE of the scaling was patched',
    );
  });

  it('with the shipped matchConditions: no ReplicaSet UPDATE of the scaling is sent; the rest is the same', async () => {
    await env.use(gk); // the shipped configuration again, matchConditions included
    const shipped = env.docs.find((d) => d.kind === 'MutatingWebhookConfiguration') as Obj;
    assert.ok(shipped.webhooks[0].matchConditions?.length > 0, 'deploy/ ships matchConditions');
    const lines = await measure('scale-with');
    counts.with = tally(lines);
    const without = counts.without ?? {};
    assert.equal(counts.with['ReplicaSet UPDATE'] ?? 0, 0);
    for (const key of ['Pod CREATE', 'ReplicaSet CREATE', 'Deployment CREATE']) {
      assert.equal(counts.with[key], without[key], `${key}: the same with and without`);
    }
  });

  it("still sends a ReplicaSet UPDATE that changes a gracekeeper.io/ annotation, and the Deployment's UPDATE", async () => {
    const ns = 'scale-with';
    const before = calls(ns).length;
    // A read-modify-write, again on 409 (the controllers update these objects too).
    const update = async (path: string, change: (o: Obj) => void) => {
      for (let i = 0; ; i++) {
        const o = await env.kube.mustGet(path);
        change(o);
        const res = await env.cp.api('PUT', path, o);
        if (res.status === 200) return;
        if (res.status !== 409 || i === 10) assert.fail(`PUT ${path}: ${res.status} ${res.text.slice(0, 300)}`);
        await sleep(200);
      }
    };
    const [rs] = await env.kube.list(`/apis/apps/v1/namespaces/${ns}/replicasets`);
    await update(`/apis/apps/v1/namespaces/${ns}/replicasets/${rs.metadata.name as string}`, (o) => {
      o.metadata.annotations = { ...o.metadata.annotations, [`${P}drain-timeout`]: '30s' };
    });
    await update(`/apis/apps/v1/namespaces/${ns}/deployments/web`, (o) => {
      o.metadata.annotations = { ...o.metadata.annotations, 'example.com/owner': 'team-a' };
    });
    await eventually('both UPDATEs logged', () => {
      const later = calls(ns).slice(before);
      const rsUpdate = later.some((l) => l.kind === 'ReplicaSet' && l.operation === 'UPDATE');
      const depUpdate = later.some((l) => l.kind === 'Deployment' && l.operation === 'UPDATE');
      return (rsUpdate && depUpdate) || undefined;
    });
  });
});
