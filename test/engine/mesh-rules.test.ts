// The mesh rules alone: when a pod is meshed and how (classic or native sidecar), and how the proxy's
// wait is merged into what the user wrote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { PodFacts } from '../../src/engine/rules/mesh.js';
import { istioMode, istioWait, MAX_PROXY_CONFIG_CHARS } from '../../src/engine/rules/mesh-istio.js';
import { linkerdMode, linkerdWait } from '../../src/engine/rules/mesh-linkerd.js';

const pod = (o: Partial<PodFacts> = {}): PodFacts => ({
  labels: {},
  annotations: {},
  namespaceLabels: {},
  namespaceAnnotations: {},
  spec: { containers: [{ name: 'app' }] },
  ...o,
});

describe('Istio', () => {
  it('is on by the template label, the Namespace labels, or an injection already done', () => {
    assert.equal(istioMode(pod()), 'off');
    assert.equal(istioMode(pod({ labels: { 'sidecar.istio.io/inject': 'true' } })), 'classic');
    assert.equal(istioMode(pod({ namespaceLabels: { 'istio-injection': 'enabled' } })), 'classic');
    assert.equal(istioMode(pod({ namespaceLabels: { 'istio.io/rev': 'canary' } })), 'classic');
    assert.equal(istioMode(pod({ annotations: { 'sidecar.istio.io/status': '{}' } })), 'classic');
  });

  it('is off when the template says false or the Namespace istio-injection: disabled', () => {
    const ns = { 'istio-injection': 'enabled' };
    assert.equal(istioMode(pod({ namespaceLabels: ns, labels: { 'sidecar.istio.io/inject': 'false' } })), 'off');
    assert.equal(istioMode(pod({ namespaceLabels: ns, annotations: { 'sidecar.istio.io/inject': 'false' } })), 'off');
    const disabled = { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' };
    assert.equal(istioMode(pod({ namespaceLabels: disabled, labels: { 'sidecar.istio.io/inject': 'true' } })), 'off');
  });

  it('is native by the nativeSidecar annotation or an istio-proxy placed as a native sidecar', () => {
    const on = { labels: { 'sidecar.istio.io/inject': 'true' } };
    assert.equal(istioMode(pod({ ...on, annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } })), 'native');
    assert.equal(istioMode(pod({ ...on, annotations: { 'sidecar.istio.io/nativeSidecar': 'false' } })), 'classic');
    // istiod's ENABLE_NATIVE_SIDECARS (the cluster setting istioNativeSidecars): the annotation "false" still wins.
    assert.equal(istioMode(pod(on), true), 'native');
    assert.equal(istioMode(pod({ ...on, annotations: { 'sidecar.istio.io/nativeSidecar': 'false' } }), true), 'classic');
    assert.equal(istioMode(pod(), true), 'off');
    const native = { containers: [{ name: 'app' }], initContainers: [{ name: 'istio-proxy', restartPolicy: 'Always' }] };
    assert.equal(istioMode(pod({ spec: native })), 'native');
    const classic = { containers: [{ name: 'app' }, { name: 'istio-proxy' }] };
    assert.equal(istioMode(pod({ spec: classic, annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } })), 'classic');
  });

  it('merges terminationDrainDuration into YAML and JSON, keeping the rest as written', () => {
    assert.deepEqual(istioWait(undefined, 30), { write: 'terminationDrainDuration: 30s' });
    assert.deepEqual(istioWait('  ', 30), { write: 'terminationDrainDuration: 30s' });
    assert.deepEqual(istioWait('concurrency: 2\n', 30), { write: 'concurrency: 2\nterminationDrainDuration: 30s\n' });
    assert.deepEqual(istioWait('concurrency: 2', 30), { write: 'concurrency: 2\nterminationDrainDuration: 30s' });
    assert.deepEqual(istioWait('{}', 30), { write: '{"terminationDrainDuration":"30s"}' });
    assert.deepEqual(istioWait('{"concurrency": 2}', 7), { write: '{"concurrency": 2, "terminationDrainDuration": "7s"}' });
    assert.deepEqual(istioWait('{"concurrency":2}\n', 7), { write: '{"concurrency":2,"terminationDrainDuration":"7s"}\n' });
    assert.deepEqual(istioWait('{concurrency: 2}', 7), { write: '{concurrency: 2, "terminationDrainDuration": "7s"}' });
    const nested = 'proxyMetadata:\n  A: "1"\ntracing:\n  sampling: 10\n';
    const merged = istioWait(nested, 30) as { write: string };
    assert.deepEqual(parseYaml(merged.write), { ...parseYaml(nested), terminationDrainDuration: '30s' });
  });

  it("keeps the user's terminationDrainDuration, warning when it is shorter than sleep + drain", () => {
    assert.deepEqual(istioWait('terminationDrainDuration: 90s', 30), { kept: 90 });
    assert.deepEqual(istioWait('{"terminationDrainDuration":"1m"}', 30), { kept: 60 });
    const short = istioWait('terminationDrainDuration: 1500ms', 30) as { kept: number; warning: string };
    assert.equal(short.kept, 2);
    assert.match(short.warning, /2s kept, shorter than sleep \+ drain 30s/);
    assert.match((istioWait('terminationDrainDuration: soon', 30) as { warning: string }).warning, /not a duration/);
  });

  it('leaves text it cannot merge into safely, with a warning', () => {
    for (const text of ['- a\n- b', 'a: [', '  indented: 1\n  two: 2', 'x'.repeat(MAX_PROXY_CONFIG_CHARS + 1)]) {
      const plan = istioWait(text, 30);
      assert.ok('warning' in plan && !('write' in plan), `${text.slice(0, 20)}: ${JSON.stringify(plan)}`);
    }
  });
});

describe('Linkerd', () => {
  it('is on by linkerd.io/inject enabled or ingress on the template or the Namespace, off by disabled', () => {
    assert.equal(linkerdMode(pod()), 'off');
    assert.equal(linkerdMode(pod({ annotations: { 'linkerd.io/inject': 'enabled' } })), 'classic');
    assert.equal(linkerdMode(pod({ annotations: { 'linkerd.io/inject': 'ingress' } })), 'classic');
    assert.equal(linkerdMode(pod({ namespaceAnnotations: { 'linkerd.io/inject': 'enabled' } })), 'classic');
    const off = { annotations: { 'linkerd.io/inject': 'disabled' }, namespaceAnnotations: { 'linkerd.io/inject': 'enabled' } };
    assert.equal(linkerdMode(pod(off)), 'off');
    assert.equal(linkerdMode(pod({ labels: { 'linkerd.io/inject': 'enabled' } })), 'off', 'a label is not how Linkerd is asked');
  });

  it('is native by proxy-enable-native-sidecar (beta or alpha, template or Namespace) or a placed proxy', () => {
    const on = { annotations: { 'linkerd.io/inject': 'enabled' } };
    const beta = 'config.beta.linkerd.io/proxy-enable-native-sidecar';
    const alpha = 'config.alpha.linkerd.io/proxy-enable-native-sidecar';
    assert.equal(linkerdMode(pod({ annotations: { ...on.annotations, [beta]: 'true' } })), 'native');
    assert.equal(linkerdMode(pod({ ...on, namespaceAnnotations: { [alpha]: 'true' } })), 'native');
    assert.equal(
      linkerdMode(pod({ annotations: { ...on.annotations, [beta]: 'false' }, namespaceAnnotations: { [alpha]: 'true' } })),
      'classic',
    );
    const native = { containers: [{ name: 'app' }], initContainers: [{ name: 'linkerd-proxy', restartPolicy: 'Always' }] };
    assert.equal(linkerdMode(pod({ spec: native })), 'native');
  });

  it("writes the wait, or keeps the template's or the Namespace's own", () => {
    const key = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
    assert.deepEqual(linkerdWait(pod(), 30), { write: '30' });
    assert.deepEqual(linkerdWait(pod({ annotations: { [key]: '60' } }), 30), { kept: 60 });
    const ns = linkerdWait(pod({ namespaceAnnotations: { [key]: '10' } }), 30) as { kept: number; warning: string };
    assert.equal(ns.kept, 10);
    assert.match(ns.warning, /10s kept, shorter/);
    assert.match((linkerdWait(pod({ annotations: { [key]: '30s' } }), 30) as { warning: string }).warning, /not whole seconds/);
  });
});
