// The proxy waits and stop signals go through the record like everything else: a second pass gives
// no patch, a changed setting updates them, an opt-out takes them back to exactly what the user
// wrote, a value the user edited is theirs, and mesh: none removes what was written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import { admit } from '../../src/engine/admit.js';
import { gvkOf } from '../../src/kube/gvk.js';
import type { AdmissionResult } from '../../src/engine/types.js';
import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings } from '../../src/settings/cluster-settings.js';
import * as fixtures from '../fixtures.js';

type Obj = Record<string, any>;
const ISTIO = 'proxy.istio.io/config';
const LINKERD = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
const USER_CONFIG = '# ours\nholdApplicationUntilProxyStarts: true\n';

const deployment = (annotations: Record<string, string>, labels: Record<string, string> = {}): Obj =>
  fixtures.deployment({ templateAnnotations: annotations, templateLabels: labels });

function run(object: Obj, o: { cluster?: ClusterSettings; labels?: Record<string, string> } = {}): AdmissionResult {
  return admit({
    kind: gvkOf(object)!,
    operation: object.kind === 'Pod' ? 'CREATE' : 'UPDATE',
    namespace: 'shop',
    object,
    namespaceLabels: o.labels ?? {},
    namespaceAnnotations: {},
    cluster: o.cluster ?? DEFAULT_CLUSTER_SETTINGS,
  });
}

const out = (r: AdmissionResult) => r.object as Obj;
const template = (o: Obj) => (o.kind === 'Pod' ? o : o.spec.template);
const annotations = (o: Obj): Record<string, string> => template(o).metadata.annotations ?? {};
const record = (o: Obj) => JSON.parse(annotations(o)['gracekeeper.io/injected'] ?? 'null');
const patched = (o: Obj, r: AdmissionResult) =>
  fastJsonPatch.applyPatch(structuredClone(o), structuredClone(r.patch), true, false).newDocument;

describe('a proxy wait in the record', () => {
  const first = run(deployment({ [ISTIO]: USER_CONFIG }, { 'sidecar.istio.io/inject': 'true' }));
  const mutated = out(first);

  it('is merged into the user ProxyConfig and recorded with what was there before', () => {
    assert.equal(annotations(mutated)[ISTIO], `${USER_CONFIG}terminationDrainDuration: 30s\n`);
    assert.deepEqual(record(mutated).annotations[ISTIO].from, USER_CONFIG);
    assert.equal(template(mutated).spec.terminationGracePeriodSeconds, 31);
  });

  it('gives no patch on a second pass, nor on a Pod made from the template', () => {
    assert.deepEqual(run(mutated).patch, []);
    const t = mutated.spec.template;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: 'web-1', namespace: 'shop' }, spec: t.spec };
    assert.deepEqual(run(pod).patch, []);
  });

  it('follows a changed setting, the user text kept', () => {
    const changed = structuredClone(mutated);
    changed.spec.template.metadata.annotations['gracekeeper.io/drain-timeout'] = '40s';
    const again = out(run(changed));
    assert.equal(annotations(again)[ISTIO], `${USER_CONFIG}terminationDrainDuration: 45s\n`);
    assert.equal(template(again).spec.terminationGracePeriodSeconds, 46);
  });

  it('is taken back to exactly the user text on opt-out, and mesh: none removes it', () => {
    for (const [key, value] of [
      ['gracekeeper.io/inject', 'false'],
      ['gracekeeper.io/mesh', 'none'],
    ]) {
      const off = structuredClone(mutated);
      off.spec.template.metadata.annotations[key] = value;
      const r = run(off);
      assert.equal(annotations(patched(off, r))[ISTIO], USER_CONFIG, key);
      assert.ok(r.changes.includes(`annotation:${ISTIO}`), r.changes.join());
    }
  });

  it('is the user own once they edit it: kept, no longer recorded', () => {
    const edited = structuredClone(mutated);
    edited.spec.template.metadata.annotations[ISTIO] = 'holdApplicationUntilProxyStarts: false\nterminationDrainDuration: 30s\n';
    const r = run(edited);
    assert.equal(annotations(out(r))[ISTIO], edited.spec.template.metadata.annotations[ISTIO]);
    assert.equal(record(out(r)).annotations, undefined);
    assert.equal(template(out(r)).spec.terminationGracePeriodSeconds, 31, 'the grace period still covers their wait');
  });

  it('for Linkerd: removed entirely on opt-out', () => {
    const m = out(run(deployment({ 'linkerd.io/inject': 'enabled' })));
    assert.equal(annotations(m)[LINKERD], '30');
    m.spec.template.metadata.annotations['gracekeeper.io/inject'] = 'false';
    const back = patched(m, run(m));
    assert.deepEqual(annotations(back), { 'linkerd.io/inject': 'enabled', 'gracekeeper.io/inject': 'false' });
  });
});

describe('a Pod seen again after Istio injected its proxy (reinvocation)', () => {
  const pod = (): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'a', ports: [{ containerPort: 8080 }] }] },
  });
  const ns = { labels: { 'istio-injection': 'enabled' } };

  it('keeps the wait for a classic istio-proxy, and drops it for a native one', () => {
    const first = out(run(pod(), ns));
    assert.equal(annotations(first)[ISTIO], 'terminationDrainDuration: 30s');
    const classic = structuredClone(first);
    classic.spec.containers.push({ name: 'istio-proxy', image: 'proxyv2' });
    assert.deepEqual(run(classic, ns).patch, []);
    const native = structuredClone(first);
    native.spec.initContainers = [{ name: 'istio-proxy', image: 'proxyv2', restartPolicy: 'Always' }];
    const r = run(native, ns);
    const after = patched(native, r);
    assert.equal(annotations(after)[ISTIO], undefined);
    assert.equal(after.spec.terminationGracePeriodSeconds, 35, 'sleep + drain + the native sidecar drain');
    assert.deepEqual(run(after, ns).patch, [], 'and then stays');
  });
});

describe('a stop signal in the record', () => {
  const cluster = { ...DEFAULT_CLUSTER_SETTINGS, stopSignals: true };
  const first = out(run(deployment({ 'gracekeeper.io/stop-signal': 'SIGQUIT' }), { cluster }));

  it('writes the signal and spec.os, then gives no patch on a second pass', () => {
    assert.equal(first.spec.template.spec.containers[0].lifecycle.stopSignal, 'SIGQUIT');
    assert.deepEqual(first.spec.template.spec.os, { name: 'linux' });
    assert.deepEqual(run(first, { cluster }).patch, []);
  });

  it('changes with the key, and is taken back with spec.os on opt-out; a user spec.os stays', () => {
    const changed = structuredClone(first);
    changed.spec.template.metadata.annotations['gracekeeper.io/stop-signal'] = 'SIGINT';
    assert.equal(out(run(changed, { cluster })).spec.template.spec.containers[0].lifecycle.stopSignal, 'SIGINT');
    const off = structuredClone(first);
    off.spec.template.metadata.annotations['gracekeeper.io/inject'] = 'false';
    const back = patched(off, run(off, { cluster }));
    assert.equal(back.spec.template.spec.os, undefined);
    assert.equal(back.spec.template.spec.containers[0].lifecycle, undefined);
    const own = deployment({ 'gracekeeper.io/stop-signal': 'SIGQUIT' });
    own.spec.template.spec.os = { name: 'linux' };
    const ownOut = out(run(own, { cluster }));
    ownOut.spec.template.metadata.annotations['gracekeeper.io/inject'] = 'false';
    assert.deepEqual(patched(ownOut, run(ownOut, { cluster })).spec.template.spec.os, { name: 'linux' });
  });

  it('writes nothing and warns when the cluster has not enabled stop signals', () => {
    const r = run(deployment({ 'gracekeeper.io/stop-signal': 'SIGQUIT' }));
    assert.equal(out(r).spec.template.spec.os, undefined);
    assert.equal(out(r).spec.template.spec.containers[0].lifecycle.stopSignal, undefined);
    assert.ok(r.warnings.some((w) => w.includes('stopSignals: true')));
  });
});
