// On a real API server and controller-manager: with `targets: pods`, a Deployment's (and a Job's)
// own annotations reach the Pods its controllers make, read from the owner chain; and opting out
// an already-mutated Deployment takes back what gracekeeper added, which rolls it out once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from './ensure-binaries.js';
import type { Gracekeeper } from './gracekeeper.js';
import { assertUntouched, container, eventually, recordOf, type Obj, type PodTemplate } from './kube.js';
import { app, deployment, P, sleepHook, template } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };

describe('owner annotations and opt-out on a real API server', opts, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;

  before(
    async () => {
      env = await startWebhookEnv();
      gk = await env.start('gracekeeper');
      await env.use(gk);
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  const podsOf = async (ns: string, owner: Obj, count: number): Promise<Obj[]> => {
    const rsList =
      owner.kind === 'Deployment'
        ? await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${ns}/replicasets`, owner, 1)
        : [owner];
    return env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rsList[0], count);
  };

  it("targets: pods leaves workloads alone and gives their Pods the workload's own annotations", async () => {
    const podsOnly = await env.start('gracekeeper-pods', { targets: 'pods' });
    await env.use(podsOnly);
    try {
      const ns = await env.kube.namespace('targets-pods');
      await env.kube.apply([
        deployment('web', ns, { replicas: 2, metaAnnotations: { [`${P}pre-stop-sleep`]: '9' } }),
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'once', namespace: ns, annotations: { [`${P}drain-timeout`]: '40s' } },
          spec: { template: template('once', { spec: { restartPolicy: 'Never' } }) },
        },
      ]);
      const deploy = await env.kube.mustGet(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
      assertUntouched(deploy.spec.template, 'the Deployment');
      for (const p of await podsOf(ns, deploy, 2)) {
        assert.deepEqual(container(p as PodTemplate, 'app').lifecycle, sleepHook(9), p.metadata.name);
        assert.equal(p.spec.terminationGracePeriodSeconds, 34);
        assert.deepEqual(recordOf(p.metadata)?.workload, { [`${P}pre-stop-sleep`]: '9' });
      }
      const job = await env.kube.mustGet(`/apis/batch/v1/namespaces/${ns}/jobs/once`);
      assertUntouched(job.spec.template, 'the Job');
      const [jobPod] = await podsOf(ns, job, 1);
      assert.equal(jobPod.spec.terminationGracePeriodSeconds, 45, 'sleep 5 + drain 40 from the Job');
      const logged = podsOnly.logLines().filter((l) => l.namespace === ns && l.kind === 'Deployment');
      assert.ok(
        logged.every((l) => l.outcome === 'skipped'),
        JSON.stringify(logged),
      );
    } finally {
      await env.use(gk);
    }
  });

  it('opting a mutated Deployment out takes back what gracekeeper added; its new Pods are as the user wrote them', async () => {
    const ns = await env.kube.namespace('opt-out');
    const base = () => deployment('web', ns, { containers: [app({ readinessProbe: { tcpSocket: { port: 8080 } } })] });
    await env.kube.apply(base());
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/web`;
    const mutated = await env.kube.mustGet(path);
    assert.deepEqual(container(mutated.spec.template, 'app').lifecycle, sleepHook(5));
    assert.ok(recordOf(mutated.spec.template.metadata));

    const optedOut = base();
    optedOut.spec.template.metadata.annotations = { [`${P}inject`]: 'false' };
    await env.kube.apply(optedOut);
    const stored = await env.kube.mustGet(path);
    const asWritten = (t: PodTemplate, what: string) => {
      assert.equal(recordOf(t.metadata), undefined, `${what}: no record`);
      assert.equal(container(t, 'app').lifecycle, undefined, `${what}: no preStop`);
      assert.deepEqual(container(t, 'app').readinessProbe?.tcpSocket, { port: 8080 }, `${what}: the user's probe stays`);
      assert.equal(t.spec.terminationGracePeriodSeconds, 30, `${what}: the API server's default grace period`);
    };
    asWritten(stored.spec.template, 'the opted-out template');
    await eventually('a ReplicaSet of the opted-out template with its Pod', async () => {
      const sets = await env.kube.list(`/apis/apps/v1/namespaces/${ns}/replicasets`);
      const current = sets.find((rs) => rs.spec.template.metadata?.annotations?.[`${P}inject`] === 'false');
      if (!current) return undefined;
      const pods = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, current, 1);
      for (const p of pods) asWritten(p as PodTemplate, `Pod ${p.metadata.name}`);
      return true;
    });
    const again = await env.kube.apply(optedOut);
    assert.equal(again.code, 0);
    assert.equal((await env.kube.mustGet(path)).metadata.generation, stored.metadata.generation, 'no further change');
  });
});
