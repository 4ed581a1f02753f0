// The in-process baseline on a real API server (1.36+: MutatingAdmissionPolicy v1; on 1.35, which
// does not serve it, the one test that runs checks that nothing changes): the shipped
// deploy/baseline/policy.yaml alone (the webhook-free mode), then with gracekeeper up (the stored
// object is what gracekeeper alone gives; the policy runs first, the webhook refines), down (the
// baseline and its mark hold) and back (the next CREATE or UPDATE is refined), and opting out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { e2eSkipReason } from './ensure-binaries.js';
import { admissionLine, REPO_ROOT, type Gracekeeper } from './gracekeeper.js';
import { eventually, recordOf, type Container, type Obj } from './kube.js';
import { MAP_V1, servesMutatingAdmissionPolicyV1 } from './policy-api.js';
import { app, deployment, P, pod, template } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };
const MARK = `${P}baseline`;
const POLICY = 'gracekeeper-baseline';

function shippedPolicy(): Obj[] {
  const text = readFileSync(join(REPO_ROOT, 'deploy', 'baseline', 'policy.yaml'), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as Obj);
}

/** What a dry-run CREATE stores (everything the API server adds that differs per request dropped). */
async function dryRun(env: WebhookEnv, object: Obj): Promise<Obj> {
  const ns = object.metadata.namespace as string;
  const path =
    object.kind === 'Pod'
      ? `/api/v1/namespaces/${ns}/pods`
      : object.kind === 'CronJob'
        ? `/apis/batch/v1/namespaces/${ns}/cronjobs`
        : `/apis/apps/v1/namespaces/${ns}/${String(object.kind).toLowerCase()}s`;
  const res = await env.cp.api<Obj>('POST', `${path}?dryRun=All`, object);
  if (res.status !== 201) throw new Error(`dry-run ${object.kind}: ${res.status} ${res.text.slice(0, 400)}`);
  const out = res.body;
  delete out.metadata.uid;
  delete out.metadata.creationTimestamp;
  delete out.metadata.managedFields;
  delete out.metadata.generation;
  // The service account token's volume has a random name per Pod.
  return JSON.parse(JSON.stringify(out).replace(/kube-api-access-[a-z0-9]+/g, 'kube-api-access')) as Obj;
}

function podTemplate(o: Obj): Obj {
  if (o.kind === 'Pod' || Array.isArray(o.spec?.containers)) return o; // a listed item has no kind
  if (o.kind === 'CronJob') return o.spec.jobTemplate.spec.template;
  return o.spec.template;
}

const containerOf = (o: Obj, name: string): Container =>
  (podTemplate(o).spec.containers as Container[]).find((c) => c.name === name) as Container;

/** Waits until the API server applies (or no longer applies) the policy to a dry-run Pod in `ns`. */
async function policyActive(env: WebhookEnv, ns: string, active: boolean): Promise<void> {
  await eventually(
    `the baseline policy ${active ? 'in' : 'out of'} effect`,
    async () => {
      const out = await dryRun(env, pod('probe', ns));
      return (out.metadata.annotations?.[MARK] !== undefined) === active || undefined;
    },
    { timeoutMs: 30_000, components: env.cp.components },
  );
}

describe('the in-process baseline (MutatingAdmissionPolicy v1) under a real API server', opts, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;
  let ns: string;
  let served = false;
  before(async () => {
    if (skip) return;
    env = await startWebhookEnv();
    ns = await env.kube.namespace('baseline');
    served = await servesMutatingAdmissionPolicyV1(env.cp);
    if (!served) return;
    await env.kube.namespace('baseline-ns10', { annotations: { [`${P}pre-stop-sleep`]: '10s' } });
    await env.kube.namespace('baseline-off', { optIn: false });
    await env.kube.apply(shippedPolicy());
    await policyActive(env, ns, true);
  });
  after(() => env?.stop());
  /** The tests that need the API: skipped, with the reason, where it is not served. */
  const needsApi =
    (fn: () => Promise<void>) =>
    async (t: { skip(reason: string): void }): Promise<void> => {
      if (!served) return t.skip(`the API server does not serve ${MAP_V1}`);
      await fn();
    };

  it(
    'alone (the webhook-free mode): a sleep where none, the grace period raised, the mark; opt-outs honoured',
    needsApi(async () => {
      const plain = await dryRun(env, pod('plain', ns));
      assert.deepEqual(containerOf(plain, 'app').lifecycle, { preStop: { sleep: { seconds: 5 } } });
      assert.equal(plain.spec.terminationGracePeriodSeconds, 30, 'already 5 + 25');
      assert.equal(plain.metadata.annotations[MARK], 'preStop=app sleep=5');
      assert.equal(containerOf(plain, 'app').readinessProbe, undefined, 'no readiness probes');
      assert.equal(recordOf(plain.metadata), undefined);

      const mixed = await dryRun(
        env,
        pod('mixed', ns, {
          annotations: { [`${P}pre-stop-sleep`]: '1m', [`${P}drain-timeout`]: '40s' },
          containers: [
            app({ lifecycle: { postStart: { exec: { command: ['true'] } } } }),
            { name: 'own', image: 'x', lifecycle: { preStop: { exec: { command: ['drain'] } } } },
            { name: 'istio-proxy', image: 'proxy' },
          ],
        }),
      );
      assert.deepEqual(containerOf(mixed, 'app').lifecycle, {
        postStart: { exec: { command: ['true'] } },
        preStop: { sleep: { seconds: 60 } },
      });
      assert.deepEqual(containerOf(mixed, 'own').lifecycle, { preStop: { exec: { command: ['drain'] } } }, 'theirs kept');
      assert.equal(containerOf(mixed, 'istio-proxy').lifecycle, undefined, 'excludeContainers skipped');
      assert.equal(mixed.spec.terminationGracePeriodSeconds, 100, '60 + 40');
      assert.equal(mixed.metadata.annotations[MARK], 'preStop=app sleep=60 grace=30>100');

      const fromNs = await dryRun(env, pod('ns10', 'baseline-ns10'));
      assert.deepEqual(containerOf(fromNs, 'app').lifecycle, { preStop: { sleep: { seconds: 10 } } }, 'the Namespace annotation');
      assert.equal(fromNs.spec.terminationGracePeriodSeconds, 35);

      const named = await dryRun(
        env,
        pod('named', ns, {
          annotations: { [`${P}containers`]: 'app' },
          containers: [app(), { name: 'side', image: 'x' }],
        }),
      );
      assert.ok(containerOf(named, 'app').lifecycle);
      assert.equal(containerOf(named, 'side').lifecycle, undefined, 'only the containers named');

      const exact = await dryRun(env, pod('exact', ns, { annotations: { [`${P}termination-grace-period`]: '20s' } }));
      assert.equal(exact.spec.terminationGracePeriodSeconds, 30, 'an exact grace period is left to the webhook');

      for (const [what, object] of [
        ['the annotation', pod('out-a', ns, { annotations: { [`${P}inject`]: 'false' } })],
        ['the label', pod('out-l', ns, { labels: { [`${P}inject`]: 'disabled' } })],
        ['pre-stop-mode: none', pod('none', ns, { annotations: { [`${P}pre-stop-mode`]: 'none' } })],
        ['pre-stop-sleep: 0', pod('zero', ns, { annotations: { [`${P}pre-stop-sleep`]: '0' } })],
        ['a namespace not opted in', pod('off', 'baseline-off')],
        ["gracekeeper's record", pod('rec', ns, { annotations: { [`${P}injected`]: '{"version":1}' } })],
      ] as const) {
        const out = await dryRun(env, object);
        assert.equal(containerOf(out, 'app').lifecycle, undefined, what);
        assert.equal(out.metadata.annotations?.[MARK], undefined, what);
      }

      // Workloads: the pod template, and the Pods their controllers make carry it unchanged.
      const d = deployment('web', ns, { replicas: 2 });
      await env.kube.apply(d);
      const stored = await env.kube.mustGet<Obj>(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
      assert.equal(stored.spec.template.metadata.annotations[MARK], 'preStop=app sleep=5');
      const rs = await eventually(
        'the ReplicaSet',
        async () => (await env.kube.owned(`/apis/apps/v1/namespaces/${ns}/replicasets`, stored))[0],
      );
      assert.equal(rs.spec.template.metadata.annotations[MARK], 'preStop=app sleep=5', 'a copy of the template');
      const pods = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs, 2);
      for (const p of pods) {
        assert.deepEqual(containerOf(p, 'app').lifecycle, { preStop: { sleep: { seconds: 5 } } });
        assert.equal(p.metadata.annotations[MARK], 'preStop=app sleep=5');
      }
      const cron = await dryRun(env, {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly', namespace: ns },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: {
            spec: { template: { ...template('nightly'), spec: { ...template('nightly').spec, restartPolicy: 'Never' } } },
          },
        },
      });
      assert.deepEqual(containerOf(cron, 'app').lifecycle, { preStop: { sleep: { seconds: 5 } } });
    }),
  );

  it(
    'is reinvoked (IfNeeded) when a later policy adds a container',
    needsApi(async () => {
      const late: Obj = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingAdmissionPolicy',
        metadata: { name: 'zz-adds-a-container' },
        spec: {
          matchConstraints: {
            resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
            objectSelector: { matchLabels: { 'e2e/late': 'yes' } },
          },
          reinvocationPolicy: 'Never',
          mutations: [
            {
              patchType: 'JSONPatch',
              jsonPatch: {
                expression: `object.spec.containers.exists(c, c.name == 'late') ? [] : [JSONPatch{op: 'add', path: '/spec/containers/-', value: {'name': 'late', 'image': 'x'}}]`,
              },
            },
          ],
        },
      };
      const binding = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingAdmissionPolicyBinding',
        metadata: { name: 'zz-adds-a-container' },
        spec: { policyName: 'zz-adds-a-container' },
      };
      await env.kube.apply([late, binding]);
      const out = await eventually(
        'the later policy in effect',
        async () => {
          const o = await dryRun(env, pod('late', ns, { labels: { 'e2e/late': 'yes' } }));
          return containerOf(o, 'late') ? o : undefined;
        },
        { timeoutMs: 30_000, components: env.cp.components },
      );
      assert.deepEqual(containerOf(out, 'late').lifecycle, { preStop: { sleep: { seconds: 5 } } }, 'the baseline ran again');
      assert.equal(out.metadata.annotations[MARK], 'preStop=app,late sleep=5', 'the mark names both');
      await env.kube.kubectl(['delete', 'mutatingadmissionpolicybinding,mutatingadmissionpolicy', 'zz-adds-a-container']);
    }),
  );

  /** Whether the policy is in effect, seen by the webhook: the sleep was there before it (it did not add it). */
  let probes = 0;
  const baselineSeenByWebhook = (active: boolean) =>
    eventually(
      `the baseline ${active ? 'in' : 'out of'} effect, seen by gracekeeper`,
      async () => {
        const name = `probe-${++probes}`;
        await dryRun(env, pod(name, ns));
        const line = await admissionLine(gk, name);
        const addedSleep = (line?.changes as string[] | undefined)?.includes('preStop:app');
        return line && addedSleep === !active ? true : undefined;
      },
      { timeoutMs: 30_000, components: [...env.cp.components, gk.component] },
    );

  /** Shapes whose stored form, policy and webhook both up, must equal the webhook's alone. */
  const shapes = (n: string): Obj[] => [
    pod(`a-${n}`, ns),
    pod(`b-${n}`, ns, { annotations: { [`${P}pre-stop-sleep`]: '20s' } }),
    pod(`c-${n}`, ns, {
      annotations: { [`${P}containers`]: 'app', [`${P}drain-timeout`]: '50s' },
      containers: [app(), { name: 'side', image: 'x' }],
    }),
    pod(`d-${n}`, 'baseline-ns10'),
    pod(`e-${n}`, ns, { annotations: { [`${P}termination-grace-period`]: '45s', [`${P}pre-stop-sleep`]: '0' } }),
    deployment(`web-${n}`, ns, { annotations: { [`${P}pre-stop-sleep`]: '8s' } }),
  ];

  it(
    "with the webhook up: the policy runs first, the webhook refines, the stored object is the webhook's alone",
    needsApi(async () => {
      gk = await env.start('gracekeeper');
      await env.use(gk);
      const both = [];
      for (const o of shapes('x')) both.push(await dryRun(env, o));
      const lines = [await admissionLine(gk, 'a-x')].filter((l) => l !== undefined);
      // The webhook saw the baseline's sleep already there (the policy ran before it): it changed
      // only what the baseline could not write.
      const changes = lines[lines.length - 1]?.changes as string[];
      assert.ok(!changes.includes('preStop:app') && changes.includes('readinessProbe:app'), JSON.stringify(changes));

      await env.kube.kubectl(['delete', 'mutatingadmissionpolicybinding', POLICY]);
      await baselineSeenByWebhook(false);
      for (const [i, o] of shapes('x').entries()) {
        const alone = await dryRun(env, o);
        assert.deepEqual(both[i], alone, `${o.kind}/${o.metadata.name}: policy and webhook = webhook alone`);
        assert.equal(podTemplate(both[i]).metadata.annotations?.[MARK], undefined, 'no mark left');
        assert.ok(recordOf(podTemplate(both[i]).metadata), 'the record');
      }
      await env.kube.apply(shippedPolicy());
      await baselineSeenByWebhook(true);
    }),
  );

  it(
    'webhook down: the baseline holds; back: the next CREATE and UPDATE are refined; opting out takes it back',
    needsApi(async () => {
      gk.signal('SIGKILL');
      await gk.component.exited;
      const downPod = await dryRun(env, pod('down', ns));
      assert.deepEqual(containerOf(downPod, 'app').lifecycle, { preStop: { sleep: { seconds: 5 } } });
      assert.equal(downPod.metadata.annotations[MARK], 'preStop=app sleep=5');
      assert.equal(recordOf(downPod.metadata), undefined, 'admitted while gracekeeper was down');
      const d = deployment('back', ns, { annotations: { [`${P}pre-stop-sleep`]: '20s' } });
      await env.kube.apply(d);
      const out = deployment('out', ns);
      await env.kube.apply(out);
      const stored = await env.kube.mustGet<Obj>(`/apis/apps/v1/namespaces/${ns}/deployments/back`);
      assert.equal(stored.spec.template.metadata.annotations[MARK], 'preStop=app sleep=20 grace=30>45');
      assert.equal(stored.spec.template.spec.terminationGracePeriodSeconds, 45);

      await gk.restart();
      await eventually('gracekeeper serving again', async () => (await env.mutatesPods(ns)) || undefined, {
        timeoutMs: 30_000,
        components: [...env.cp.components, gk.component],
      });
      const backPod = await dryRun(env, pod('down', ns));
      assert.equal(backPod.metadata.annotations[MARK], undefined);
      assert.ok(recordOf(backPod.metadata), 'refined');
      assert.ok(containerOf(backPod, 'app').readinessProbe, 'a readiness probe now');

      // The next UPDATE of the Deployment admitted while it was down: refined, as if created now.
      d.spec.template.metadata.annotations = { ...d.spec.template.metadata.annotations, 'e2e/touch': '1' };
      await env.kube.apply(d);
      const refined = await env.kube.mustGet<Obj>(`/apis/apps/v1/namespaces/${ns}/deployments/back`);
      const fresh = await dryRun(env, { ...d, metadata: { ...d.metadata, name: 'back-fresh' } });
      assert.equal(refined.spec.template.metadata.annotations[MARK], undefined);
      assert.deepEqual(refined.spec.template, fresh.spec.template, 'equal to the same Deployment created with the webhook up');
      const again = await env.kube.apply(d);
      assert.match(again.stdout, /unchanged/, 'a second pass changes nothing');

      // Opting out after the baseline: what it wrote is taken back; what the user wrote stays.
      out.spec.template.metadata.annotations = { [`${P}inject`]: 'false' };
      await env.kube.apply(out);
      const optedOut = await env.kube.mustGet<Obj>(`/apis/apps/v1/namespaces/${ns}/deployments/out`);
      assert.equal(optedOut.spec.template.metadata.annotations[MARK], undefined);
      assert.equal(containerOf(optedOut, 'app').lifecycle, undefined, 'the sleep taken back');
      assert.equal(recordOf(optedOut.spec.template.metadata), undefined);
    }),
  );

  it(`without ${MAP_V1} (1.35): the shipped policy is refused, and gracekeeper works as before`, async (t) => {
    if (served) return t.skip(`the API server serves ${MAP_V1}`);
    const applied = await env.kube.apply(shippedPolicy(), [], true);
    assert.notEqual(applied.code, 0, 'kubectl apply of the policy fails');
    assert.match(applied.stderr, /no matches for kind "MutatingAdmissionPolicy"/);
    // No webhook in use yet: an opted-in Namespace's Pod is stored as written.
    const plain = await dryRun(env, pod('plain', ns));
    assert.equal(containerOf(plain, 'app').lifecycle, undefined);
    assert.equal(plain.metadata.annotations?.[MARK], undefined);
    // With gracekeeper: its record, no mark.
    gk = await env.start('gracekeeper');
    await env.use(gk);
    const mutated = await dryRun(env, pod('mutated', ns));
    assert.deepEqual(containerOf(mutated, 'app').lifecycle, { preStop: { sleep: { seconds: 5 } } });
    assert.ok(recordOf(mutated.metadata), 'the record');
    assert.equal(mutated.metadata.annotations?.[MARK], undefined);
  });
});
