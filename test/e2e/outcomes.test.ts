// Outcomes on a real API server (and controller-manager; no kubelet): the test plays the kubelet's
// part through the API, writing what its sources show it writes (test/outcomes/shapes.ts): pod
// status with a container terminated by SIGKILL (exit 137) at the grace period's end, the
// FailedPreStopHook and Unhealthy Events its recorder creates, a container running long without
// becoming Ready. This proves the watching and reporting path (streams, opted-in filter, metrics,
// log lines, the warning at UPDATE, the audit) on the real API server's watch and field selectors;
// that the kubelet writes these shapes is what docs/outcomes.md cites from its sources.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { audit } from './audit-fixtures.js';
import { e2eSkipReason } from './ensure-binaries.js';
import { metricSample, type Gracekeeper, type LogLine } from './gracekeeper.js';
import { eventually, warnings, type Obj } from './kube.js';
import { deployment, P } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';
import { kubeletEvent } from '../outcomes/shapes.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };
const NODE = 'outcomes-node';

/** A log line's time in ms (the logger writes ISO times). */
const logTime = (l: LogLine): number => (typeof l.time === 'number' ? l.time : Date.parse(String(l.time)));
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('outcomes on a real API server', opts, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;
  const ns = 'outcomes';
  const off = 'outcomes-off';
  const timings: Record<string, number> = {};

  before(
    async () => {
      env = await startWebhookEnv();
      gk = await env.start('gracekeeper', {}, undefined, ['--log-level=debug']);
      await env.use(gk);
      await env.kube.namespace(ns);
      await env.kube.namespace(off, { optIn: false });
      // A Node object, so that pods bound to it stay (the pod GC deletes pods of unknown nodes).
      await env.kube.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
    },
    { timeout: 60 * 60_000 },
  );
  after(async () => {
    if (process.env.OUTCOMES_DEBUG)
      for (const l of gk?.logLines() ?? [])
        if (/outcome|stream|watch/.test(String(l.msg))) process.stderr.write(`${JSON.stringify(l)}\n`);
    await env?.stop();
  });

  const api = async (method: string, path: string, body?: unknown): Promise<Obj> => {
    const res = await env.cp.api<Obj>(method, path, body);
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    return res.body;
  };

  const podsOf = async (namespace: string, name: string, count: number): Promise<Obj[]> => {
    const d = await env.kube.mustGet(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
    const [rs] = await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${namespace}/replicasets`, d, 1);
    const pods = await env.kube.ownedEventually(`/api/v1/namespaces/${namespace}/pods`, rs, count);
    for (const p of pods) {
      // The scheduler's part: bind to the node (graceful deletion waits for a kubelet only for bound pods).
      await api('POST', `/api/v1/namespaces/${namespace}/pods/${p.metadata.name}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: p.metadata.name },
        target: { apiVersion: 'v1', kind: 'Node', name: NODE },
      });
    }
    return pods;
  };

  /** The kubelet's status update: the pod's one container `app` in `state`. */
  const setStatus = async (namespace: string, name: string, state: Obj, ready: boolean, phase = 'Running') => {
    const pod = await api('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
    pod.status = {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(Date.now()) }],
      containerStatuses: [
        { name: 'app', ready, restartCount: 0, image: 'registry.invalid/app:1', imageID: '', state, started: 'running' in state },
      ],
    };
    await api('PUT', `/api/v1/namespaces/${namespace}/pods/${name}/status`, pod);
  };

  /** A graceful deletion as kubectl delete asks for it; the pod stays until its kubelet confirms. */
  const deleteGracefully = async (namespace: string, name: string, grace: number): Promise<number> => {
    await api('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: grace,
    });
    const pod = await api('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
    assert.ok(pod.metadata.deletionTimestamp, 'a bound pod waits for its kubelet');
    return Date.parse(pod.metadata.deletionTimestamp as string);
  };

  const finding = (outcome: string, pod: string, since: number): Promise<LogLine> =>
    eventually(
      `gracekeeper's log line ${outcome} for ${pod}`,
      () => gk.logLines().find((l) => l.msg === 'pod outcome' && l.outcome === outcome && l.pod === pod && logTime(l) >= since),
      { timeoutMs: 30_000, components: [...env.cp.components, gk.component] },
    );

  const count = (namespace: string, outcome: string) =>
    metricSample(gk.metricsPort, `gracekeeper_pod_outcomes_total{pod_namespace="${namespace}",outcome="${outcome}"}`);

  it('a container SIGKILLed at the grace period end is reported killed; one that stopped in time, clean', async () => {
    await env.kube.apply(deployment('web', ns, { replicas: 3 }));
    const [a, b] = await podsOf(ns, 'web', 3);
    const started = { running: { startedAt: iso(Date.now() - 60_000) } };
    await setStatus(ns, a?.metadata.name as string, started, true);
    await setStatus(ns, b?.metadata.name as string, started, true);
    await finding('readiness-passed', a?.metadata.name as string, 0);

    const deadline = await deleteGracefully(ns, a?.metadata.name as string, 30);
    let t0 = Date.now();
    // The runtime's SIGKILL when the grace period ran out: exit 137 a second after the deadline.
    await setStatus(
      ns,
      a?.metadata.name as string,
      { terminated: { exitCode: 137, reason: 'Error', startedAt: iso(Date.now() - 60_000), finishedAt: iso(deadline + 1000) } },
      false,
      'Failed',
    );
    const killed = await finding('killed-at-grace-period', a?.metadata.name as string, t0);
    timings.killed = logTime(killed) - t0;
    assert.equal(killed.level, 'warn', 'a problem is a warning');
    assert.equal(killed.workload, 'Deployment/web');
    assert.equal(killed.container, 'app');

    await deleteGracefully(ns, b?.metadata.name as string, 30);
    t0 = Date.now();
    await setStatus(
      ns,
      b?.metadata.name as string,
      { terminated: { exitCode: 0, reason: 'Completed', startedAt: iso(Date.now() - 60_000), finishedAt: iso(Date.now()) } },
      false,
      'Succeeded',
    );
    await finding('clean', b?.metadata.name as string, t0);
    assert.equal(await count(ns, 'killed-at-grace-period'), 1);
    assert.equal(await count(ns, 'clean'), 1);
  });

  it("the kubelet's FailedPreStopHook event is reported as a hook that did not run", async () => {
    const pods = await env.kube.list(`/api/v1/namespaces/${ns}/pods`);
    const c = pods.find((p) => !p.metadata.deletionTimestamp && p.spec?.nodeName === NODE) as Obj;
    await setStatus(ns, c.metadata.name as string, { running: { startedAt: iso(Date.now() - 60_000) } }, true);
    const t0 = Date.now();
    await api(
      'POST',
      `/api/v1/namespaces/${ns}/events`,
      kubeletEvent({
        pod: c.metadata.name as string,
        namespace: ns,
        uid: c.metadata.uid as string,
        reason: 'FailedPreStopHook',
        message: 'PreStopHook failed',
        container: 'app',
      }),
    );
    const line = await finding('prestop-hook-failed', c.metadata.name as string, t0);
    timings.hookFailed = logTime(line) - t0;
    assert.equal(await count(ns, 'prestop-hook-failed'), 1);
    assert.ok(!JSON.stringify(line).includes('PreStopHook failed'), 'the log line holds no event content');
  });

  it("gracekeeper's probe not Ready long after the container started is reported, with the failures as evidence", async () => {
    await env.kube.apply(deployment('stuck', ns, { replicas: 1 }));
    const [p] = await podsOf(ns, 'stuck', 1);
    const name = p?.metadata.name as string;
    await api(
      'POST',
      `/api/v1/namespaces/${ns}/events`,
      kubeletEvent({
        pod: name,
        namespace: ns,
        uid: p?.metadata.uid as string,
        reason: 'Unhealthy',
        message: 'Readiness probe failed: dial tcp 10.0.0.9:8080: connect: connection refused',
        container: 'app',
        count: 61,
      }),
    );
    // Give the event stream the time to deliver it before the status that decides.
    await eventually(
      'the Unhealthy event stored',
      async () =>
        (await env.kube.list(`/api/v1/namespaces/${ns}/events?fieldSelector=reason%3DUnhealthy`)).length > 0 || undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    // Running for 6 minutes (the bound is 5), never Ready.
    await setStatus(ns, name, { running: { startedAt: iso(Date.now() - 6 * 60_000) } }, false);
    const line = await finding('readiness-never-passed', name, t0);
    timings.neverReady = logTime(line) - t0;
    assert.match(line.evidence as string, /61 readiness failures seen/);
    assert.equal(await count(ns, 'readiness-never-passed'), 1);
  });

  it('pods of a namespace not opted in are not looked at', async () => {
    await env.kube.apply(deployment('elsewhere', off, { replicas: 1 }));
    const [p] = await podsOf(off, 'elsewhere', 1);
    const deadline = await deleteGracefully(off, p?.metadata.name as string, 30);
    await setStatus(
      off,
      p?.metadata.name as string,
      { terminated: { exitCode: 137, reason: 'Error', startedAt: iso(Date.now() - 60_000), finishedAt: iso(deadline + 1000) } },
      false,
      'Failed',
    );
    // The opted-in namespace's next finding comes after; by then this one would have been seen.
    const [q] = await env.kube.list(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dstuck`);
    const t0 = Date.now();
    await deleteGracefully(ns, q?.metadata.name as string, 30);
    await setStatus(
      ns,
      q?.metadata.name as string,
      { terminated: { exitCode: 0, reason: 'Completed', startedAt: iso(Date.now() - 60_000), finishedAt: iso(Date.now()) } },
      false,
      'Succeeded',
    );
    await finding('clean', q?.metadata.name as string, t0);
    assert.ok(Number.isNaN(await count(off, 'killed-at-grace-period')), 'no sample for the namespace not opted in');
    assert.ok(!gk.logLines().some((l) => l.namespace === off && l.msg === 'pod outcome'));
  });

  it("the workload's next UPDATE warns, naming the annotation to set", async () => {
    const web = await env.kube.apply(deployment('web', ns, { replicas: 3, metaAnnotations: { team: 'a' } }));
    const w = warnings(web);
    assert.ok(
      w.some((x) => /1 recent pod killed at the grace period's end .*gracekeeper\.io\/drain-timeout/.test(x)),
      w.join('\n'),
    );
    assert.ok(
      w.some((x) => x.includes(`preStop hook failed on 1 recent pod: set ${P}pre-stop-mode: sleep`)),
      w.join('\n'),
    );
    const stuck = warnings(await env.kube.apply(deployment('stuck', ns, { replicas: 1, metaAnnotations: { team: 'a' } })));
    assert.ok(
      stuck.some((x) => x.includes(`set ${P}readiness: none or readiness-port`)),
      stuck.join('\n'),
    );
    assert.ok(!w.some((x) => x.includes('readiness: none')), 'the probe passed on web');
  });

  it('gracekeeper audit shows the recent shutdowns and whether the probe passed, with the fix', () => {
    const r = audit(env.cp.kubeconfigPath, ['-n', ns, '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const items = (JSON.parse(r.stdout) as { items: Obj[] }).items;
    const web = items.find((i) => i.kind === 'Deployment' && i.name === 'web');
    const stuck = items.find((i) => i.kind === 'Deployment' && i.name === 'stuck');
    // What the API server still holds: web's two deleted pods (not yet confirmed: no kubelet) and the hook's event.
    assert.equal(web?.outcomes?.killed, 1);
    assert.equal(web?.outcomes?.hookFailed, 1);
    assert.equal(web?.outcomes?.probe, 'passed');
    assert.match(web?.outcomes?.fix as string, /^gracekeeper\.io\/drain-timeout/);
    assert.equal(stuck?.outcomes?.clean, 1);
    const table = audit(env.cp.kubeconfigPath, ['-n', ns]);
    assert.match(table.stdout, /SHUTDOWNS\s+PROBE\s+FIX/);
    assert.match(table.stdout, /web\s+1 clean, 1 killed, 1 hook failed\s+passed\s+gracekeeper\.io\/drain-timeout/);
  });

  it('reports each finding within a few seconds of what the kubelet wrote', (t) => {
    t.diagnostic(`ms from the API write to the log line: ${JSON.stringify(timings)}`);
    for (const [k, ms] of Object.entries(timings)) assert.ok(ms < 5000, `${k}: ${ms} ms`);
  });
});
