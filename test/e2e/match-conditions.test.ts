// The webhook's matchCondition (deploy/base/mutatingwebhookconfiguration.yaml) on a real API server
// and controller manager: a Deployment scaled 1 -> 20 -> 1 makes the Deployment controller UPDATE
// its ReplicaSet, and those UPDATEs (the template unchanged) are no longer sent to gracekeeper; the
// Pods still are, and so is an UPDATE that changes a controlled ReplicaSet's template. The same
// scale with the condition removed counts the calls it saves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from './ensure-binaries.js';
import { pointWebhookAt, type Gracekeeper, type LogLine } from './gracekeeper.js';
import { eventually, type Obj } from './kube.js';
import { deployment } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();

interface Calls {
  replicaSetUpdates: number;
  podCreates: number;
  mutatedPods: number;
}

describe("matchConditions: a controlled ReplicaSet's scale is not sent", { skip: skip ?? false }, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;
  let ns: string;
  before(async () => {
    env = await startWebhookEnv();
    gk = await env.start('gracekeeper');
    await env.use(gk);
    ns = await env.kube.namespace('match-conditions');
  });
  after(() => env?.stop());

  const rsPath = () => `/apis/apps/v1/namespaces/${ns}/replicasets`;
  const replicaSet = async (): Promise<Obj> => eventually('the ReplicaSet', async () => (await env.kube.list(rsPath()))[0]);
  const admissions = (from: number): LogLine[] =>
    gk
      .logLines()
      .slice(from)
      .filter((l) => l.msg === 'admission');

  /** Scales the Deployment 1 -> 20 -> 1 and counts what reached gracekeeper meanwhile. */
  async function scaleRoundTrip(): Promise<Calls> {
    const from = gk.logLines().length;
    for (const replicas of [20, 1]) {
      await env.kube.kubectl(['scale', '-n', ns, 'deployment/web', `--replicas=${replicas}`]);
      await eventually(`the ReplicaSet at ${replicas} Pods`, async () => {
        const rs = await replicaSet();
        return rs.spec.replicas === replicas && rs.status?.replicas === replicas ? true : undefined;
      });
    }
    await new Promise((r) => setTimeout(r, 1000)); // log lines reach the file in batches (200 ms)
    const lines = admissions(from);
    const pods = lines.filter((l) => l.kind === 'Pod' && l.operation === 'CREATE');
    return {
      replicaSetUpdates: lines.filter((l) => l.kind === 'ReplicaSet' && l.operation === 'UPDATE').length,
      podCreates: pods.length,
      mutatedPods: pods.filter((l) => l.outcome === 'unchanged' || l.outcome === 'mutated').length,
    };
  }

  /** Whether a metadata-only UPDATE of the controlled ReplicaSet reaches gracekeeper now. */
  let probes = 0;
  async function metadataUpdateSent(): Promise<boolean> {
    const rs = await replicaSet();
    const from = gk.logLines().length;
    await env.kube.kubectl(['annotate', '-n', ns, `replicaset/${rs.metadata.name}`, `e2e/probe=${++probes}`, '--overwrite']);
    await new Promise((r) => setTimeout(r, 1000));
    return admissions(from).some((l) => l.kind === 'ReplicaSet' && l.operation === 'UPDATE');
  }

  it('scale 1 -> 20 -> 1: no ReplicaSet UPDATE sent with the condition, every Pod still admitted', async () => {
    await env.kube.apply(deployment('web', ns));
    await eventually('the first Pod', async () => ((await replicaSet()).status?.replicas === 1 ? true : undefined));
    const shipped = await scaleRoundTrip();

    const config = pointWebhookAt(env.docs, gk.url, gk.caPem);
    assert.ok(
      config.webhooks.every((w) => Array.isArray(w.matchConditions)),
      'the shipped configuration has the condition',
    );
    const without = structuredClone(config);
    for (const w of without.webhooks) delete w.matchConditions;
    await env.kube.apply(without);
    await eventually('the condition gone', async () => (await metadataUpdateSent()) || undefined);
    const unconditioned = await scaleRoundTrip();
    process.stderr.write(
      `e2e matchConditions: scale 1 -> 20 -> 1: ReplicaSet UPDATEs sent ${unconditioned.replicaSetUpdates} without ` +
        `the condition, ${shipped.replicaSetUpdates} with it; Pod CREATEs ${unconditioned.podCreates} and ${shipped.podCreates}\n`,
    );

    await env.kube.apply(config);
    await eventually('the condition back', async () => ((await metadataUpdateSent()) ? undefined : true));
    assert.equal(shipped.replicaSetUpdates, 0, 'no ReplicaSet UPDATE sent with the condition');
    assert.ok(unconditioned.replicaSetUpdates >= 2, `without it: ${unconditioned.replicaSetUpdates}`);
    for (const calls of [shipped, unconditioned]) {
      assert.equal(calls.podCreates, 19, 'each new Pod admitted');
      assert.equal(calls.mutatedPods, 19);
    }
  });

  it("an UPDATE that changes a controlled ReplicaSet's template is still sent", async () => {
    const rs = await replicaSet();
    const from = gk.logLines().length;
    const patch = JSON.stringify({ spec: { template: { metadata: { annotations: { 'e2e/changed': 'yes' } } } } });
    await env.kube.kubectl(['patch', '-n', ns, `replicaset/${rs.metadata.name}`, '--type=merge', '-p', patch]);
    await eventually('the UPDATE logged', () =>
      Promise.resolve(
        admissions(from).some((l) => l.kind === 'ReplicaSet' && l.operation === 'UPDATE' && l.name === rs.metadata.name)
          ? true
          : undefined,
      ),
    );
  });
});
