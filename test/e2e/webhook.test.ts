// gracekeeper end to end: `gracekeeper serve` on loopback behind the real MutatingWebhookConfiguration
// of deploy/, on a real API server and controller-manager. Every object checked here was stored,
// so the API server's own validation accepted what gracekeeper wrote; Pods made by the controllers
// from mutated templates show that a second pass adds nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControlPlane } from './cluster.js';
import { e2eSkipReason } from './ensure-binaries.js';
import type { Gracekeeper, Manifest } from './gracekeeper.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';
import {
  assertPodMatchesTemplate,
  assertUntouched,
  container,
  eventually,
  INJECT_LABEL,
  Kube,
  recordOf,
  warnings,
  type Obj,
  type PodTemplate,
} from './kube.js';

import { app, deployment, IMAGE, P, pod, sleepHook, tcpProbe, template } from './manifests.js';

const skip = e2eSkipReason();
if (skip) process.stderr.write(`e2e: skipping the webhook scenarios: ${skip}\n`);
const opts = { skip: skip ?? false };

// ---- the suite ---------------------------------------------------------------------------------

describe('gracekeeper on a real API server', () => {
  let env: WebhookEnv;
  let cp: ControlPlane;
  let kube: Kube;
  let docs: Manifest[];
  let ownNamespace: string;
  let gk: Gracekeeper | undefined;
  const start = (name: string, port?: number): Promise<Gracekeeper> => env.start(name, {}, port);

  const paths = (ns: string) => ({
    deployments: `/apis/apps/v1/namespaces/${ns}/deployments`,
    replicasets: `/apis/apps/v1/namespaces/${ns}/replicasets`,
    statefulsets: `/apis/apps/v1/namespaces/${ns}/statefulsets`,
    daemonsets: `/apis/apps/v1/namespaces/${ns}/daemonsets`,
    jobs: `/apis/batch/v1/namespaces/${ns}/jobs`,
    cronjobs: `/apis/batch/v1/namespaces/${ns}/cronjobs`,
    pods: `/api/v1/namespaces/${ns}/pods`,
  });

  /** The Deployment, its one ReplicaSet and `replicas` Pods, once the controllers made them. */
  const rollout = async (ns: string, name: string, replicas = 1): Promise<{ deploy: Obj; rs: Obj; pods: Obj[] }> => {
    const p = paths(ns);
    const deploy = await kube.mustGet(`${p.deployments}/${name}`);
    const [rs] = await kube.ownedEventually(p.replicasets, deploy, 1);
    const pods = await kube.ownedEventually(p.pods, rs, replicas);
    return { deploy, rs: rs, pods };
  };

  /** The template of a stored workload equals its ReplicaSet's and every Pod's (nothing added twice). */
  const assertCarried = (t: PodTemplate, rs: Obj | undefined, pods: Obj[]): void => {
    if (rs)
      assertPodMatchesTemplate(
        { metadata: { name: `(template of ${rs.metadata.name})`, ...rs.spec.template.metadata }, spec: rs.spec.template.spec },
        t,
      );
    for (const p of pods) assertPodMatchesTemplate(p, t);
  };

  /**
   * The admissions of `kind` in `ns` that the server logged as changing something (it logs one line
   * per admission); fails when it logged none at all, so that a change of log format cannot make
   * this pass unnoticed.
   */
  const changedAdmissions = async (ns: string, kind: string): Promise<Obj[]> => {
    const lines = await eventually(
      `gracekeeper's log line for a ${kind} in ${ns}`,
      () => {
        const found = (gk?.logLines() ?? []).filter((l) => l.namespace === ns && l.kind === kind);
        return Promise.resolve(found.length > 0 ? found : undefined);
      },
      { timeoutMs: 3000 },
    );
    return lines.filter((l) => Array.isArray(l.changes) && l.changes.length > 0);
  };

  before(
    async () => {
      if (skip) return;
      const t0 = Date.now();
      // deploy/ applied but its webhook configuration, as `kubectl apply -k` would (the API server
      // validates all of it; its Deployment's Pods stay Pending: no scheduler), and gracekeeper
      // serving as deploy/'s ServiceAccount, with exactly the RBAC deploy/ grants.
      env = await startWebhookEnv();
      ({ cp, kube, docs, ownNamespace } = env);
      gk = await start('gracekeeper');
      await env.use(gk);
      // A Node for the DaemonSet controller to make a Pod for (it stays NotReady: no kubelet).
      await kube.apply({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'e2e-node', labels: { 'kubernetes.io/hostname': 'e2e-node' } },
      });
      process.stderr.write(
        `e2e: control plane up in ${cp.startupMs} ms; deploy/ applied, gracekeeper serving and ` +
          `the webhook installed ${Date.now() - t0} ms later\n`,
      );
    },
    { timeout: 60 * 60_000 },
  );

  after(() => env?.stop());

  it("installs deploy/ on a real API server: its Deployment's Pods pass restricted Pod Security", opts, async () => {
    const d = docs.find((x) => x.kind === 'Deployment') as Manifest;
    const deploy = await kube.mustGet(`${paths(ownNamespace).deployments}/${d.metadata?.name as string}`);
    const [rs] = await kube.ownedEventually(paths(ownNamespace).replicasets, deploy, 1);
    await kube.ownedEventually(paths(ownNamespace).pods, rs, deploy.spec.replicas as number);
    const ns = await kube.mustGet(`/api/v1/namespaces/${ownNamespace}`);
    assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('mutates a Deployment; its ReplicaSet and Pods carry the same, nothing added twice', opts, async () => {
    const ns = await kube.namespace('deployment');
    const res = await kube.apply(
      deployment('web', ns, {
        replicas: 2,
        containers: [app(), { name: 'logger', image: IMAGE }],
      }),
    );
    // No Service: only the main container is probed, and a later one without a port needs no advice.
    assert.ok(!warnings(res).some((w) => w.includes('logger')), `no readiness advice for "logger": ${res.stderr}`);

    const { deploy, rs, pods } = await rollout(ns, 'web', 2);
    const t = deploy.spec.template as PodTemplate;
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(5));
    assert.deepEqual(container(t, 'app').readinessProbe, tcpProbe(8080));
    assert.deepEqual(container(t, 'logger').lifecycle, sleepHook(5));
    assert.equal(container(t, 'logger').readinessProbe, undefined);
    assert.equal(t.spec.terminationGracePeriodSeconds, 30);
    const record = recordOf(t.metadata);
    assert.deepEqual(record?.added, { preStop: ['app', 'logger'], readinessProbe: ['app'] });
    // The API server defaults an unset grace period to 30 before admission: nothing to raise.
    assert.equal(record?.terminationGracePeriodSeconds, undefined);
    assertCarried(t, rs, pods);
    assert.deepEqual(await changedAdmissions(ns, 'ReplicaSet'), [], "the ReplicaSet's CREATE needed no patch");
    assert.deepEqual(await changedAdmissions(ns, 'Pod'), [], "the Pods' CREATEs needed no patch");

    // ... and counted it: GET /metrics on the plain-HTTP metrics port.
    const metrics = await (await fetch(`http://127.0.0.1:${(gk as Gracekeeper).metricsPort}/metrics`)).text();
    assert.match(metrics, /gracekeeper_admissions_total\{[^}]*kind="Deployment"[^}]*\} [1-9]/);
  });

  it('mutates a StatefulSet and its Pods alike', opts, async () => {
    const ns = await kube.namespace('statefulset');
    const p = paths(ns);
    await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns, annotations: { [`${P}min-ready-seconds`]: '10s' } },
      spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, template: template('db') },
    });
    const sts = await kube.mustGet(`${p.statefulsets}/db`);
    const t = sts.spec.template as PodTemplate;
    assert.equal(sts.spec.minReadySeconds, 10);
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(5));
    // Its governing Service `db` does not exist: no readiness probe (docs/reference.md, "Where
    // readiness probes go"), and its Pod (spec.subdomain db) decides the same.
    assert.equal(container(t, 'app').readinessProbe, undefined);
    assert.equal(t.spec.terminationGracePeriodSeconds, 30);
    const pods = await kube.ownedEventually(p.pods, sts, 1);
    assertCarried(t, undefined, pods);
    assert.deepEqual(await changedAdmissions(ns, 'Pod'), []);
  });

  it('mutates a DaemonSet and its Pods alike', opts, async () => {
    const ns = await kube.namespace('daemonset');
    const p = paths(ns);
    await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns, annotations: { [`${P}min-ready-seconds`]: '5' } },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: template('agent', { spec: { tolerations: [{ operator: 'Exists' }] } }),
      },
    });
    const ds = await kube.mustGet(`${p.daemonsets}/agent`);
    const t = ds.spec.template as PodTemplate;
    assert.equal(ds.spec.minReadySeconds, 5);
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(5));
    assert.ok(recordOf(t.metadata));
    const pods = await kube.ownedEventually(p.pods, ds, 1);
    assertCarried(t, undefined, pods);
    assert.deepEqual(await changedAdmissions(ns, 'Pod'), []);
  });

  it('mutates a Job and its Pod alike', opts, async () => {
    const ns = await kube.namespace('job');
    const p = paths(ns);
    await kube.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: ns },
      spec: { template: template('once', { spec: { restartPolicy: 'Never' } }) },
    });
    const job = await kube.mustGet(`${p.jobs}/once`);
    const t = job.spec.template as PodTemplate;
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(5));
    assert.equal(container(t, 'app').readinessProbe, undefined, 'a pod that runs to completion gets no readiness probe');
    const pods = await kube.ownedEventually(p.pods, job, 1);
    assertCarried(t, undefined, pods);
    assert.deepEqual(await changedAdmissions(ns, 'Pod'), []);
  });

  it("mutates a CronJob; a Job created from it and that Job's Pod carry the same", opts, async () => {
    const ns = await kube.namespace('cronjob');
    const p = paths(ns);
    await kube.apply({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: ns },
      spec: {
        schedule: '0 3 1 1 *',
        suspend: true,
        jobTemplate: { spec: { template: template('nightly', { spec: { restartPolicy: 'OnFailure' } }) } },
      },
    });
    const cj = await kube.mustGet(`${p.cronjobs}/nightly`);
    const t = cj.spec.jobTemplate.spec.template as PodTemplate;
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(5));
    assert.ok(recordOf(t.metadata));
    await kube.kubectl(['create', 'job', 'manual', '--from=cronjob/nightly', '-n', ns]);
    const job = await kube.mustGet(`${p.jobs}/manual`);
    assertPodMatchesTemplate(
      { metadata: { name: '(template of Job manual)', ...job.spec.template.metadata }, spec: job.spec.template.spec },
      t,
    );
    const pods = await kube.ownedEventually(p.pods, job, 1);
    assertCarried(t, undefined, pods);
    assert.deepEqual(await changedAdmissions(ns, 'Job'), [], "the Job's CREATE needed no patch");
    assert.deepEqual(await changedAdmissions(ns, 'Pod'), []);
  });

  it('leaves a namespace without the label, and objects that opt out, untouched', opts, async () => {
    // A namespace that has not opted in: the API server does not even call the webhook.
    const plain = await kube.namespace('not-opted-in', { optIn: false });
    await kube.apply([deployment('web', plain), pod('solo', plain)]);
    const a = await rollout(plain, 'web');
    assertUntouched(a.deploy.spec.template, 'Deployment in a namespace without the label');
    for (const x of a.pods) assertUntouched(x, `Pod ${x.metadata.name}`);
    assertUntouched(await kube.mustGet<PodTemplate>(`${paths(plain).pods}/solo`), 'bare Pod');

    // Opted in, but the objects opt out: the label (filtered by the objectSelector) on the
    // Deployment and its template, or the annotation on a template or Pod.
    const ns = await kube.namespace('opt-out');
    const off = { [INJECT_LABEL]: 'disabled' };
    await kube.apply([
      deployment('by-label', ns, { metaLabels: off, labels: off }),
      deployment('by-annotation', ns, { annotations: { [`${P}inject`]: 'false' } }),
      pod('pod-by-label', ns, { labels: off }),
      pod('pod-by-annotation', ns, { annotations: { [`${P}inject`]: 'false' } }),
    ]);
    for (const name of ['by-label', 'by-annotation']) {
      const r = await rollout(ns, name);
      assertUntouched(r.deploy.spec.template, `Deployment ${name}`);
      assertUntouched(r.rs.spec.template, `ReplicaSet of ${name}`);
      for (const x of r.pods) assertUntouched(x, `Pod ${x.metadata.name}`);
    }
    for (const name of ['pod-by-label', 'pod-by-annotation']) {
      assertUntouched(await kube.mustGet<PodTemplate>(`${paths(ns).pods}/${name}`), `Pod ${name}`);
    }

    // The annotation on the Deployment's own metadata only: the Deployment is left alone, with a
    // warning that its Pods are not.
    const metaOnly = await kube.apply(deployment('meta-only', ns, { metaAnnotations: { [`${P}inject`]: 'false' } }));
    assert.ok(
      warnings(metaOnly).some((x) => x.includes('pod template')),
      `a warning: ${metaOnly.stderr}`,
    );
    const m = await rollout(ns, 'meta-only');
    assertUntouched(m.deploy.spec.template, 'Deployment meta-only');
    for (const x of m.pods) assert.ok(recordOf(x.metadata), `Pod ${x.metadata.name} is mutated`);

    // Namespaces never mutated, whatever their labels: kube-system and gracekeeper's own.
    for (const excluded of ['kube-system', ownNamespace]) {
      await kube.kubectl(['label', 'namespace', excluded, `${INJECT_LABEL}=enabled`, '--overwrite']);
      // (gracekeeper's namespace enforces the restricted Pod Security level)
      await kube.apply(
        pod('excluded', excluded, {
          spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
          containers: [app({ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } })],
        }),
      );
      assertUntouched(await kube.mustGet<PodTemplate>(`${paths(excluded).pods}/excluded`), `Pod in ${excluded}`);
      await kube.kubectl(['label', 'namespace', excluded, `${INJECT_LABEL}-`]);
    }
  });

  it('takes settings from Namespace < workload < pod template annotations', opts, async () => {
    const ns = await kube.namespace('precedence', {
      annotations: {
        [`${P}pre-stop-sleep`]: '7',
        [`${P}drain-timeout`]: '31s',
        [`${P}readiness-period`]: '9s',
        [`${P}readiness-failure-threshold`]: '5',
      },
    });
    await kube.apply([
      deployment('tuned', ns, {
        metaAnnotations: { [`${P}pre-stop-sleep`]: '8s', [`${P}drain-timeout`]: '32s' },
        annotations: { [`${P}pre-stop-sleep`]: '10s' },
      }),
      pod('bare', ns),
      pod('bare-tuned', ns, { annotations: { [`${P}pre-stop-sleep`]: '3' } }),
    ]);
    const { deploy, rs, pods } = await rollout(ns, 'tuned');
    const t = deploy.spec.template as PodTemplate;
    // sleep from the template, drain from the workload, probe timing from the Namespace
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(10));
    assert.equal(t.spec.terminationGracePeriodSeconds, 10 + 32);
    assert.deepEqual(container(t, 'app').readinessProbe, tcpProbe(8080, { periodSeconds: 9, failureThreshold: 5 }));
    // The controller's Pods cannot see the Deployment's annotations: the record carries them.
    assertCarried(t, rs, pods);
    assert.deepEqual(await changedAdmissions(ns, 'ReplicaSet'), []);

    const bare = await kube.mustGet(`${paths(ns).pods}/bare`);
    assert.deepEqual(container(bare as PodTemplate, 'app').lifecycle, sleepHook(7));
    assert.equal(bare.spec.terminationGracePeriodSeconds, 7 + 31);
    assert.deepEqual(
      container(bare as PodTemplate, 'app').readinessProbe,
      tcpProbe(8080, { periodSeconds: 9, failureThreshold: 5 }),
    );
    const tuned = await kube.mustGet(`${paths(ns).pods}/bare-tuned`);
    assert.deepEqual(container(tuned as PodTemplate, 'app').lifecycle, sleepHook(3));
    assert.equal(tuned.spec.terminationGracePeriodSeconds, 3 + 31);
  });

  it("takes the Namespace's annotations even when the Namespace was created a moment before", opts, async () => {
    // A file holding a Namespace and its workloads, or a tool creating both: the workload's
    // admission follows the Namespace's creation by a millisecond, before a watch may deliver it.
    const names = Array.from({ length: 3 }, (_, i) => `just-created-${i}`);
    for (const ns of names) {
      const created = await cp.api('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { [INJECT_LABEL]: 'enabled' }, annotations: { [`${P}pre-stop-sleep`]: '12s' } },
      });
      assert.equal(created.status, 201, created.text);
      const res = await cp.api<Obj>('POST', paths(ns).pods, pod('first', ns));
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(
        container(res.body as PodTemplate, 'app').lifecycle,
        sleepHook(12),
        `the Pod in ${ns} got the Namespace's pre-stop-sleep`,
      );
    }
  });

  it("follows a Namespace's annotation changes and forgets a deleted Namespace (the real informer)", opts, async () => {
    const ns = await kube.namespace('ns-watch', { annotations: { [`${P}pre-stop-sleep`]: '4s' } });
    const sleepOf = async (name: string): Promise<unknown> => {
      const res = await cp.api<Obj>('POST', paths(ns).pods, pod(name, ns));
      assert.equal(res.status, 201, res.text);
      return container(res.body as PodTemplate, 'app').lifecycle;
    };
    await eventually(
      "the Namespace in gracekeeper's cache",
      async () => JSON.stringify(await sleepOf(`before-${Date.now()}`)) === JSON.stringify(sleepHook(4)) || undefined,
    );
    await cp.kubectl(['annotate', 'namespace', ns, '--overwrite', `${P}pre-stop-sleep=9s`]);
    await eventually(
      'the changed annotation',
      async () => JSON.stringify(await sleepOf(`after-${Date.now()}`)) === JSON.stringify(sleepHook(9)) || undefined,
    );
    const cacheSize = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${(gk as Gracekeeper).metricsPort}/metrics`)).text();
      return Number(/^gracekeeper_namespace_cache_size (\d+)/m.exec(text)?.[1] ?? NaN);
    };
    const sizeBefore = await cacheSize();
    assert.ok(sizeBefore > 0, `cache size ${sizeBefore}`);
    const deleted = await cp.api('DELETE', `/api/v1/namespaces/${ns}`);
    assert.ok(deleted.status === 200 || deleted.status === 202, deleted.text);
    await eventually(
      'the Namespace to be gone',
      async () => (await cp.api('GET', `/api/v1/namespaces/${ns}`)).status === 404 || undefined,
      { timeoutMs: 60_000 },
    );
    await eventually('the cache to forget it', async () => (await cacheSize()) === sizeBefore - 1 || undefined);
  });

  it('denies a Deployment with an invalid annotation; admits a Pod with a warning', opts, async () => {
    const ns = await kube.namespace('invalid');
    const bad = { [`${P}pre-stop-sleep`]: 'soon', [`${P}readiness`]: 'maybe' };
    const denied = await kube.apply(deployment('bad', ns, { annotations: bad }), [], true);
    assert.notEqual(denied.code, 0, 'kubectl apply fails');
    for (const s of ['pre-stop-sleep', 'soon', 'readiness', 'maybe']) {
      assert.ok(denied.stderr.includes(s), `the message names ${s}: ${denied.stderr}`);
    }
    assert.equal(await kube.get(`${paths(ns).deployments}/bad`), undefined, 'nothing is stored');
    assert.deepEqual(await kube.list(paths(ns).replicasets), []);

    const ok = await kube.apply(
      pod('bad-pod', ns, {
        annotations: { ...bad, [`${P}prestop-sleep`]: '5' },
      }),
    );
    const w = warnings(ok);
    assert.ok(
      w.some((x) => x.includes('pre-stop-sleep') && x.includes('soon')),
      `a warning about pre-stop-sleep: ${ok.stderr}`,
    );
    assert.ok(
      w.some((x) => x.includes('readiness') && x.includes('maybe')),
      `a warning about readiness: ${ok.stderr}`,
    );
    assert.ok(
      w.some((x) => x.includes('prestop-sleep') && x.includes('pre-stop-sleep')),
      `the unknown key gets a suggestion: ${ok.stderr}`,
    );
    for (const x of w) assert.ok(x.length < 120, `warning under 120 characters: ${x}`);
    const stored = await kube.mustGet(`${paths(ns).pods}/bad-pod`);
    assert.deepEqual(container(stored as PodTemplate, 'app').lifecycle, sleepHook(5), 'the default is used');
    assert.deepEqual(container(stored as PodTemplate, 'app').readinessProbe, tcpProbe(8080));
  });

  it('shows the mutation on a server-side dry run, storing nothing', opts, async () => {
    const ns = await kube.namespace('dry-run');
    const res = await kube.apply(deployment('preview', ns), ['--dry-run=server', '-o', 'json']);
    const shown = JSON.parse(res.stdout) as Obj;
    const t = shown.spec.template as PodTemplate;
    assert.deepEqual(container(t, 'app').lifecycle, sleepHook(5));
    assert.deepEqual(container(t, 'app').readinessProbe, tcpProbe(8080));
    assert.ok(recordOf(t.metadata));
    assert.equal(await kube.get(`${paths(ns).deployments}/preview`), undefined);
  });

  it('causes no rollout on UPDATEs that leave the template alone, and keeps its fields on re-apply', opts, async () => {
    const ns = await kube.namespace('update');
    const p = paths(ns);
    const settled = async (name: string): Promise<Obj[]> => {
      // once the Deployment controller has seen the latest generation, its ReplicaSets are final
      await eventually(`${name} observed`, async () => {
        const d = await kube.mustGet(`${p.deployments}/${name}`);
        return d.status?.observedGeneration === d.metadata.generation ? true : undefined;
      });
      return kube.owned(p.replicasets, await kube.mustGet(`${p.deployments}/${name}`));
    };
    const assertInjected = (d: Obj): void => {
      assert.deepEqual(container(d.spec.template, 'app').lifecycle, sleepHook(5));
      assert.deepEqual(container(d.spec.template, 'app').readinessProbe, tcpProbe(8080));
      assert.ok(recordOf(d.spec.template.metadata));
    };

    // Client-side apply: create, scale through the manifest, re-apply the original.
    const original = deployment('api', ns);
    await kube.apply(original);
    const first = (await rollout(ns, 'api')).rs;
    await kube.apply({ ...original, spec: { ...original.spec, replicas: 2 } });
    await kube.kubectl(['annotate', 'deployment', 'api', '-n', ns, 'team=payments']);
    await kube.apply(original);
    const rsAfter = await settled('api');
    assert.deepEqual(
      rsAfter.map((r) => r.metadata.name),
      [first.metadata.name],
      'no new ReplicaSet',
    );
    assertInjected(await kube.mustGet(`${p.deployments}/api`));

    // Server-side apply: the injected fields belong to the applier, so a re-apply of the
    // original manifest removes them, and gracekeeper puts them back in the same request.
    const ssa = deployment('ssa', ns);
    await kube.apply(ssa, ['--server-side']);
    const ssaFirst = (await rollout(ns, 'ssa')).rs;
    const before = await kube.mustGet(`${p.deployments}/ssa`);
    await kube.apply(ssa, ['--server-side']);
    await kube.apply({ ...ssa, spec: { ...ssa.spec, replicas: 2 } }, ['--server-side']);
    const ssaAfter = await settled('ssa');
    assert.deepEqual(
      ssaAfter.map((r) => r.metadata.name),
      [ssaFirst.metadata.name],
      'no new ReplicaSet',
    );
    const afterSsa = await kube.mustGet(`${p.deployments}/ssa`);
    assertInjected(afterSsa);
    assert.deepEqual(afterSsa.spec.template, before.spec.template);

    // A gracekeeper annotation changed on UPDATE changes the injected value (no stale hook),
    // and removing it restores the default: each a template change, so each one rollout.
    await kube.kubectl(['annotate', 'deployment', 'ssa', '-n', ns, `${P}pre-stop-sleep=9`]);
    let tuned = await kube.mustGet(`${p.deployments}/ssa`);
    assert.deepEqual(container(tuned.spec.template, 'app').lifecycle, sleepHook(9));
    assert.equal(tuned.spec.template.spec.terminationGracePeriodSeconds, 9 + 25);
    await kube.kubectl(['annotate', 'deployment', 'ssa', '-n', ns, `${P}pre-stop-sleep-`]);
    tuned = await kube.mustGet(`${p.deployments}/ssa`);
    assert.deepEqual(container(tuned.spec.template, 'app').lifecycle, sleepHook(5));
    assert.equal(tuned.spec.template.spec.terminationGracePeriodSeconds, 30);
    // Back to exactly the original template: the original ReplicaSet is reused, no third one.
    const back = await settled('ssa');
    assert.equal(back.length, 2, 'the original ReplicaSet and the one with the 9 s hook');
    assert.ok(back.some((r) => r.metadata.name === ssaFirst.metadata.name));
    assert.deepEqual(tuned.spec.template, before.spec.template);

    // A real change of the template rolls out once, to a mutated template.
    const changed = deployment('api', ns, { containers: [app({ image: 'registry.invalid/app:2' })] });
    await kube.apply(changed);
    const rolled = await settled('api');
    assert.equal(rolled.length, 2, 'one new ReplicaSet');
    const d = await kube.mustGet(`${p.deployments}/api`);
    assertInjected(d);
    const fresh = rolled.find((r) => r.metadata.name !== first.metadata.name) as Obj;
    const pods = await kube.ownedEventually(p.pods, fresh, 1);
    assertCarried(d.spec.template, fresh, pods);
  });

  it('writes the native sleep action in auto mode on this API server, and exec/none when asked', opts, async () => {
    const ns = await kube.namespace('modes');
    const mode = (m: string) => ({ [`${P}pre-stop-mode`]: m });
    await kube.apply([
      pod('auto', ns),
      pod('sleep', ns, { annotations: mode('sleep') }),
      pod('exec', ns, { annotations: mode('exec') }),
      pod('none', ns, { annotations: mode('none') }),
      pod('zero', ns, { annotations: { [`${P}pre-stop-sleep`]: '0' } }),
      deployment('exec-web', ns, { annotations: mode('exec') }),
    ]);
    const get = async (name: string): Promise<PodTemplate> => kube.mustGet<PodTemplate>(`${paths(ns).pods}/${name}`);
    const exec = { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } } };
    assert.deepEqual(container(await get('auto'), 'app').lifecycle, sleepHook(5));
    assert.deepEqual(container(await get('sleep'), 'app').lifecycle, sleepHook(5));
    assert.deepEqual(container(await get('exec'), 'app').lifecycle, exec);
    for (const name of ['none', 'zero']) {
      const x = await get(name);
      assert.equal(container(x, 'app').lifecycle, undefined, `${name}: no hook`);
      assert.deepEqual(container(x, 'app').readinessProbe, tcpProbe(8080), `${name}: still a probe`);
    }
    const { deploy, rs, pods } = await rollout(ns, 'exec-web');
    assert.deepEqual(container(deploy.spec.template, 'app').lifecycle, exec);
    assertCarried(deploy.spec.template, rs, pods);
  });

  it(
    "writes only what the API server's validation accepts: sidecars, named ports, every probe kind, timeouts, clamps",
    opts,
    async () => {
      const ns = await kube.namespace('validation');
      const a = (o: Record<string, string>): Record<string, string> =>
        Object.fromEntries(Object.entries(o).map(([k, v]) => [`${P}${k}`, v]));
      const ports = [
        { name: 'http', containerPort: 8080 },
        { name: 'grpc', containerPort: 9090 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ];
      const res = await kube.apply([
        // Several containers, one keeping its own handlers; a native sidecar named in `containers`
        // (and so hooked; not probed: no Service targets it); a plain init container (never touched); startup probes.
        deployment('sidecars', ns, {
          annotations: a({ containers: 'app,worker,mesh', 'startup-timeout': '1m' }),
          containers: [
            app({ ports }),
            {
              name: 'worker',
              image: IMAGE,
              lifecycle: { preStop: { exec: { command: ['/bin/drain'] } } },
              readinessProbe: {
                exec: { command: ['/bin/ready'] },
                periodSeconds: 3,
                timeoutSeconds: 1,
                successThreshold: 1,
                failureThreshold: 3,
              },
            },
            { name: 'unselected', image: IMAGE, ports: [{ containerPort: 7000 }] },
          ],
          initContainers: [
            { name: 'migrate', image: IMAGE },
            { name: 'mesh', image: IMAGE, restartPolicy: 'Always', ports: [{ name: 'admin', containerPort: 15000 }] },
          ],
        }),
        // httpGet on a named port, HTTPS, initial delay, startup probe on the same handler.
        deployment('http', ns, {
          annotations: a({
            'readiness-path': '/healthz',
            'readiness-port': 'http',
            'readiness-scheme': 'HTTPS',
            'readiness-initial-delay': '3s',
            'startup-timeout': '2m',
          }),
        }),
        // gRPC on a named port.
        deployment('grpc', ns, {
          annotations: a({ readiness: 'grpc', 'readiness-port': 'grpc', 'startup-timeout': '30s' }),
          containers: [app({ ports })],
        }),
        // An exact grace period, minReadySeconds.
        deployment('exact', ns, {
          annotations: a({ 'termination-grace-period': '90s' }),
          metaAnnotations: a({ 'min-ready-seconds': '15s' }),
        }),
        // Clamps: an exact grace period above the cluster maximum, and a sleep too long for it.
        deployment('clamp-grace', ns, { annotations: a({ 'termination-grace-period': '2h' }) }),
        deployment('clamp-sleep', ns, { annotations: a({ 'pre-stop-sleep': '20m' }) }),
        // A grace period the user wrote above the maximum is kept.
        deployment('user-grace', ns, { spec: { terminationGracePeriodSeconds: 700 } }),
      ]);
      const w = warnings(res);
      assert.ok(
        w.some((x) => x.includes('clamped')),
        `a clamp warning: ${res.stderr}`,
      );
      assert.ok(
        w.some((x) => x.includes('pre-stop-sleep') && x.includes('lowered')),
        `a sleep warning: ${res.stderr}`,
      );

      const get = async (name: string): Promise<PodTemplate> => {
        const r = await rollout(ns, name);
        assertCarried(r.deploy.spec.template, r.rs, r.pods); // the API server took the Pods too
        return r.deploy.spec.template as PodTemplate;
      };
      const startupOf = (probe: Obj, timeout: number): Obj => ({
        ...probe,
        failureThreshold: Math.ceil(timeout / probe.periodSeconds),
        successThreshold: 1,
        timeoutSeconds: 1,
        initialDelaySeconds: undefined,
      });
      const strip = (o: Obj | undefined): Obj | undefined => o && (JSON.parse(JSON.stringify(o)) as Obj); // drops undefined fields

      const s = await get('sidecars');
      assert.deepEqual(container(s, 'app').lifecycle, sleepHook(5));
      assert.deepEqual(container(s, 'app').readinessProbe, tcpProbe(8080));
      assert.deepEqual(container(s, 'app').startupProbe, strip(startupOf(tcpProbe(8080), 60)));
      assert.deepEqual(container(s, 'worker').lifecycle, { preStop: { exec: { command: ['/bin/drain'] } } }, 'kept');
      assert.deepEqual(container(s, 'worker').readinessProbe?.exec, { command: ['/bin/ready'] }, 'kept');
      assert.deepEqual(container(s, 'worker').startupProbe?.exec, { command: ['/bin/ready'] }, 'startup on the kept handler');
      assert.deepEqual(container(s, 'mesh').lifecycle, sleepHook(5), 'the named sidecar is hooked');
      // No Service targets it: only the main container is probed (docs/reference.md, "Where readiness probes go").
      assert.equal(container(s, 'mesh').readinessProbe, undefined);
      assert.equal(container(s, 'migrate').lifecycle, undefined, 'a plain init container is never touched');
      assert.equal(container(s, 'unselected').lifecycle, undefined);
      assert.equal(container(s, 'unselected').readinessProbe, undefined);
      const rec = recordOf(s.metadata);
      assert.deepEqual(rec?.kept, { preStop: ['worker'], readinessProbe: ['worker'] });

      const h = await get('http');
      const httpProbe = {
        httpGet: { path: '/healthz', port: 8080, scheme: 'HTTPS' },
        initialDelaySeconds: 3,
        periodSeconds: 5,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 2,
      };
      assert.deepEqual(container(h, 'app').readinessProbe, httpProbe);
      assert.deepEqual(container(h, 'app').startupProbe, strip(startupOf(httpProbe, 120)));

      const g = await get('grpc');
      for (const kind of ['ReplicaSet', 'Pod']) {
        const changed = await changedAdmissions(ns, kind);
        assert.equal(changed.length, 0, `${kind}s made from these templates needed no patch: ${JSON.stringify(changed)}`);
      }
      assert.equal(container(g, 'app').readinessProbe?.grpc?.port, 9090);
      assert.equal(container(g, 'app').startupProbe?.grpc?.port, 9090);
      assert.equal(container(g, 'app').startupProbe?.failureThreshold, 6);

      const e = await get('exact');
      assert.equal(e.spec.terminationGracePeriodSeconds, 90);
      assert.equal((await kube.mustGet(`${paths(ns).deployments}/exact`)).spec.minReadySeconds, 15);

      assert.equal((await get('clamp-grace')).spec.terminationGracePeriodSeconds, 600);
      const cs = await get('clamp-sleep');
      assert.equal(cs.spec.terminationGracePeriodSeconds, 600);
      assert.deepEqual(container(cs, 'app').lifecycle, sleepHook(599));
      assert.equal((await get('user-grace')).spec.terminationGracePeriodSeconds, 700);
    },
  );

  // Last: it stops and replaces the server.
  it(
    'with gracekeeper down, Pods are created unmutated (failurePolicy Ignore); a new certificate and caBundle resume it',
    opts,
    async () => {
      const ns = await kube.namespace('outage');
      const old = gk as Gracekeeper;
      const t0 = Date.now();
      assert.equal(await old.stop(), 0, 'gracekeeper exits 0 on SIGTERM');
      if (Date.now() - t0 > 2000) {
        process.stderr.write(`e2e: gracekeeper took ${Date.now() - t0} ms to exit after SIGTERM\n`);
      }
      gk = undefined;
      await kube.apply([pod('while-down', ns), deployment('while-down', ns)]);
      assertUntouched(await kube.mustGet<PodTemplate>(`${paths(ns).pods}/while-down`), 'Pod created while down');
      const down = await rollout(ns, 'while-down');
      assertUntouched(down.deploy.spec.template, 'Deployment created while down');
      for (const x of down.pods) assertUntouched(x, `Pod ${x.metadata.name}`);

      // Back on the same URL with a certificate from a new CA: until the caBundle follows, the
      // API server cannot verify it and ignores the webhook.
      gk = await start('gracekeeper-2', old.port);
      await kube.apply(pod('old-ca-bundle', ns));
      assertUntouched(await kube.mustGet<PodTemplate>(`${paths(ns).pods}/old-ca-bundle`), 'Pod with a stale caBundle');

      await env.use(gk);
      await kube.apply(pod('resumed', ns));
      const resumed = await kube.mustGet(`${paths(ns).pods}/resumed`);
      assert.deepEqual(container(resumed as PodTemplate, 'app').lifecycle, sleepHook(5));
      assert.ok(recordOf(resumed.metadata));
    },
  );
});
