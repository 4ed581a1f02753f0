// On a real API server (any K8S_RELEASE: the gate is alpha, off by default, in 1.35 to 1.37):
// with the feature gate ContainerStopSignals, a stop signal gracekeeper writes is stored on the
// Pod, with the spec.os.name: linux the API server requires; without the gate, the key only warns,
// and a stopSignal that reaches the API server is dropped (what gracekeeper's stopSignals: false
// guards against). Proxy waits written into pod templates are stored on the Pods a Deployment's
// controllers make, with no second patch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LINUX_STOP_SIGNALS, linuxStopSignal } from '../../src/settings/signals.js';
import { e2eSkipReason } from './ensure-binaries.js';
import type { Gracekeeper } from './gracekeeper.js';
import { container, eventually, INJECT_LABEL, recordOf, warnings, type Kube, type Obj, type PodTemplate } from './kube.js';
import { app, deployment, P, pod } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };
const ISTIO = 'proxy.istio.io/config';
const LINKERD = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';

const stopSignalOf = (t: Obj): unknown => (container(t as PodTemplate, 'app').lifecycle as Obj | undefined)?.stopSignal;

async function namespace(kube: Kube, name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) {
  await kube.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [INJECT_LABEL]: 'enabled', ...labels }, annotations },
  });
  return name;
}

/** Waits for gracekeeper's log lines of `count` Pod admissions in `namespaces`; each must have left the Pod unchanged. */
async function podAdmissions(gk: Gracekeeper, namespaces: string[], count: number): Promise<void> {
  const lines = await eventually(`${count} Pod admissions logged`, () => {
    const found = gk.logLines().filter((l) => namespaces.includes(String(l.namespace)) && l.kind === 'Pod');
    return found.length >= count ? found : undefined;
  });
  assert.ok(
    lines.every((l) => l.outcome === 'unchanged'),
    JSON.stringify(lines),
  );
}

async function podsOf(env: WebhookEnv, ns: string, name: string, count: number): Promise<Obj[]> {
  const deploy = await env.kube.mustGet(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  const [rs] = await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${ns}/replicasets`, deploy, 1);
  return env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs, count);
}

describe('stop signals and proxy waits with the ContainerStopSignals gate on', opts, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;

  before(
    async () => {
      env = await startWebhookEnv({ apiserverArgs: ['--feature-gates=ContainerStopSignals=true'] });
      gk = await env.start('gracekeeper-signals', { stopSignals: true });
      await env.use(gk);
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  it('stores the stop signal gracekeeper writes on a Pod, with spec.os.name: linux, and says so', async () => {
    const ns = await namespace(env.kube, 'signals', {});
    const res = await env.kube.apply(pod('nginx', ns, { annotations: { [`${P}stop-signal`]: 'SIGQUIT' } }));
    const stored = await env.kube.mustGet(`/api/v1/namespaces/${ns}/pods/nginx`);
    assert.equal(stopSignalOf(stored), 'SIGQUIT');
    assert.deepEqual(stored.spec.os, { name: 'linux' });
    assert.deepEqual(recordOf(stored.metadata)?.added.stopSignal, ['app']);
    assert.ok(
      warnings(res).some((w) => w.includes('spec.os.name: linux')),
      res.stderr,
    );
  });

  it('rejects a stopSignal on a Pod that names no OS, which is why gracekeeper adds spec.os.name', async () => {
    const ns = await namespace(env.kube, 'signals-no-os', {});
    const raw = pod('direct', ns, { labels: { [INJECT_LABEL]: 'disabled' } });
    raw.spec.containers[0].lifecycle = { stopSignal: 'SIGQUIT' };
    const res = await env.kube.apply(raw, [], true);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /may not be set for containers with empty `spec.os.name`/);
    raw.spec.os = { name: 'windows' };
    const windows = await env.kube.apply(raw, [], true);
    assert.notEqual(windows.code, 0, 'SIGQUIT is no Windows stop signal');
    assert.match(windows.stderr, /supported values: "SIGKILL", "SIGTERM"/);
  });

  it('accepts in lifecycle.stopSignal of a Linux Pod exactly the names gracekeeper accepts', async () => {
    const ns = await namespace(env.kube, 'signal-names', {});
    const dryRun = (signals: string[]) =>
      env.kube.cp.api('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'names', namespace: ns, labels: { [INJECT_LABEL]: 'disabled' } },
        spec: {
          os: { name: 'linux' },
          containers: signals.map((s, i) => ({ name: `c${i}`, image: 'example.com/app:1', lifecycle: { stopSignal: s } })),
        },
      });
    const every = [...LINUX_STOP_SIGNALS];
    const all = await dryRun(every);
    assert.equal(all.status, 201, all.text.slice(0, 400));
    // A name it refuses makes the API server list every name it supports: the same set.
    const refused = await dryRun(['SIGFOO']);
    assert.equal(refused.status, 422);
    const message = (refused.body as { message?: string }).message ?? '';
    const listed = /supported values: ((?:"[A-Z0-9+-]+"(?:, )?)+)/.exec(message)?.[1] ?? '';
    assert.deepEqual([...listed.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort(), every.sort(), message.slice(0, 300));
    // Names a Linux kernel or shell knows that the API server does not, and forms gracekeeper
    // normalises (case, spaces) before it writes them.
    const normalised: Record<string, string | undefined> = { sigquit: 'SIGQUIT', ' SIGINT ': 'SIGINT' };
    for (const name of ['SIGRTMIN+16', 'SIGRTMAX-15', 'SIGEMT', 'SIGLOST', 'SIGINFO', 'QUIT', '3', 'sigquit', ' SIGINT ']) {
      const res = await dryRun([name]);
      assert.equal(res.status, 422, `${name}: ${res.text.slice(0, 200)}`);
      assert.equal(linuxStopSignal(name), normalised[name], name);
    }
  });

  it("stores a Deployment's stop signal on its template and on the Pods made from it, without a second patch", async () => {
    const ns = await namespace(env.kube, 'signals-deploy', {});
    const annotations = { [`${P}stop-signal`]: 'SIGINT' };
    await env.kube.apply(deployment('web', ns, { replicas: 2, annotations }));
    const stored = await env.kube.mustGet(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
    assert.equal(stopSignalOf(stored.spec.template), 'SIGINT');
    for (const p of await podsOf(env, ns, 'web', 2)) {
      assert.equal(stopSignalOf(p), 'SIGINT', p.metadata.name);
      assert.deepEqual(p.spec.os, { name: 'linux' });
    }
    await podAdmissions(gk, [ns], 2);
  });

  it('stores the Istio and Linkerd waits on the Pods a Deployment makes, merged with a ProxyConfig', async () => {
    const istioNs = await namespace(env.kube, 'mesh-istio', { 'istio-injection': 'enabled' });
    const config = '{"holdApplicationUntilProxyStarts": true}';
    await env.kube.apply(deployment('web', istioNs, { replicas: 2, annotations: { [ISTIO]: config } }));
    for (const p of await podsOf(env, istioNs, 'web', 2)) {
      assert.equal(p.metadata.annotations[ISTIO], '{"holdApplicationUntilProxyStarts": true, "terminationDrainDuration": "30s"}');
      assert.equal(p.spec.terminationGracePeriodSeconds, 31);
    }
    const linkerdNs = await namespace(env.kube, 'mesh-linkerd', {}, { 'linkerd.io/inject': 'enabled' });
    await env.kube.apply(deployment('web', linkerdNs, { replicas: 1, containers: [app()] }));
    for (const p of await podsOf(env, linkerdNs, 'web', 1)) {
      assert.equal(p.metadata.annotations[LINKERD], '30');
      assert.equal(recordOf(p.metadata)?.budget, 'sleep 5s + drain 25s = 30s; proxy wait 30s');
    }
    await podAdmissions(gk, [istioNs, linkerdNs], 3);
  });
});

describe('stop signals with the gate off (the API server default from 1.33 to 1.37)', opts, () => {
  let env: WebhookEnv;

  before(
    async () => {
      env = await startWebhookEnv();
      await env.use(await env.start('gracekeeper'));
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  it('with stopSignals: false (the default), the key warns and writes nothing', async () => {
    const ns = await namespace(env.kube, 'signals-off', {});
    const res = await env.kube.apply(pod('nginx', ns, { annotations: { [`${P}stop-signal`]: 'SIGQUIT' } }));
    assert.ok(
      warnings(res).some((w) => w.includes('stop-signal SIGQUIT not written')),
      res.stderr,
    );
    const stored = await env.kube.mustGet(`/api/v1/namespaces/${ns}/pods/nginx`);
    assert.equal(stopSignalOf(stored), undefined);
    assert.equal(stored.spec.os, undefined);
  });

  it('drops a stopSignal that reaches it: a Pod is stored without it, and without the os check', async () => {
    const ns = await namespace(env.kube, 'signals-dropped', {});
    const raw = pod('direct', ns, { labels: { [INJECT_LABEL]: 'disabled' } });
    raw.spec.containers[0].lifecycle = { stopSignal: 'SIGQUIT' };
    const res = await env.kube.apply(raw);
    assert.equal(res.code, 0, 'accepted, though spec.os.name is unset (the gate-on API server requires it)');
    const stored = await env.kube.mustGet(`/api/v1/namespaces/${ns}/pods/direct`);
    assert.equal(
      container(stored as PodTemplate, 'app').lifecycle,
      undefined,
      'the stopSignal, and the lifecycle it emptied, are gone',
    );
    const gated = await env.start('gracekeeper-signals', { stopSignals: true });
    await env.use(gated);
    const through = await env.kube.apply(pod('through', ns, { annotations: { [`${P}stop-signal`]: 'SIGQUIT' } }));
    assert.equal(through.code, 0);
    const kept = await env.kube.mustGet(`/api/v1/namespaces/${ns}/pods/through`);
    assert.equal(stopSignalOf(kept), undefined, 'dropped by the API server');
    assert.deepEqual(recordOf(kept.metadata)?.added.stopSignal, ['app'], 'while the record says gracekeeper wrote it');
  });
});
