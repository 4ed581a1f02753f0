// Property tests over generated pod specs, kinds and annotations (valid and invalid).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { admit } from '../../src/engine/admit.js';
import { gvkOf } from '../../src/kube/gvk.js';
import type { ClusterSettings } from '../../src/settings/cluster-settings.js';
import type { AdmissionResult, KubeVersion } from '../../src/engine/types.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { parseDurationMs } from '../../src/settings/duration.js';
import { annotations, clusterSettings, KINDS, kubeVersion, podSpec, wrap } from './arbitraries.js';
import { commandLine, meshMeta, meshNamespace, podOS } from './arbitraries-shutdown.js';
import { assertAcceptable, podSpecOf } from './api-rules.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

type Obj = Record<string, any>;

/** Generated inputs the API server would refuse anyway (a user sleep past the grace period) are skipped. */
function acceptable(object: Obj): boolean {
  try {
    assertAcceptable(object);
    return true;
  } catch {
    return false;
  }
}

interface Namespace {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function run(object: Obj, cluster: ClusterSettings, ns: Namespace, version?: KubeVersion): AdmissionResult {
  return admit({
    kind: gvkOf(object)!,
    operation: 'CREATE',
    namespace: 'shop',
    object,
    namespaceLabels: ns.labels,
    namespaceAnnotations: ns.annotations,
    kubeVersion: version,
    cluster,
  });
}

const scenario = fc.record({
  kind: fc.constantFrom(...KINDS),
  spec: podSpec,
  workload: annotations,
  template: annotations,
  ns: annotations,
  cluster: clusterSettings,
  version: kubeVersion,
  mesh: meshMeta,
  meshNs: meshNamespace,
  os: podOS,
  command: commandLine,
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): Obj {
  const spec: Obj = { ...s.spec };
  if (s.os) spec.os = { name: s.os };
  if (s.command) spec.containers = [{ ...spec.containers[0], command: s.command }, ...spec.containers.slice(1)];
  const object = wrap(s.kind, spec, s.workload, { ...s.mesh.annotations, ...s.template }, s.mesh.labels);
  // JSON round trip: plain prototypes, exactly what the API server would send.
  return JSON.parse(JSON.stringify(object)) as Obj;
}

function namespaceOf(s: Scenario): Namespace {
  return { labels: s.meshNs.labels, annotations: { ...s.meshNs.annotations, ...s.ns } };
}

test('the patch applied to the input gives the mutated object, and the input is not modified', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const input = build(s);
      const snapshot = structuredClone(input);
      const result = run(input, s.cluster, namespaceOf(s), s.version);
      assert.deepEqual(input, snapshot, 'the engine modified its input');
      const patched = fastJsonPatch.applyPatch(structuredClone(input), structuredClone(result.patch), true, false).newDocument;
      assert.deepEqual(patched, result.object);
      if (result.outcome !== 'mutated') assert.equal(result.patch.length, 0);
    }),
    { numRuns: RUNS },
  );
});

test('a second pass gives no patch; a Pod made from a mutated template gives no patch', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const first = run(build(s), s.cluster, namespaceOf(s), s.version);
      if (first.denial) return;
      const second = run(first.object as Obj, s.cluster, namespaceOf(s), s.version);
      assert.deepEqual(second.patch, [], `second pass patched: ${JSON.stringify(second.patch)}`);
      if (s.kind.kind === 'Pod' || first.outcome !== 'mutated') return;
      const out = first.object as Obj;
      const template = s.kind.kind === 'CronJob' ? out.spec.jobTemplate.spec.template : out.spec.template;
      // As the StatefulSet controller makes its Pods: owned by it, spec.subdomain its governing Service.
      const sts = s.kind.kind === 'StatefulSet';
      const owner = {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }],
      };
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...template.metadata, name: 'web-1', namespace: 'shop', ...(sts ? owner : {}) },
        spec: sts ? { ...template.spec, subdomain: out.spec.serviceName } : template.spec,
      };
      const podResult = run(pod, s.cluster, namespaceOf(s), s.version);
      assert.deepEqual(podResult.patch, [], `pod from template patched: ${JSON.stringify(podResult.patch)}`);
    }),
    { numRuns: RUNS },
  );
});

test('every output is an object the API server accepts, with grace longer than every sleep gracekeeper wrote', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const input = build(s);
      fc.pre(acceptable(input));
      const result = run(input, s.cluster, namespaceOf(s), s.version);
      if (result.denial) return;
      const out = result.object as Obj;
      assertAcceptable(out);
      const spec = podSpecOf(out);
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      const record = JSON.parse(
        out.kind === 'Pod'
          ? (out.metadata.annotations?.['gracekeeper.io/injected'] ?? '{}')
          : ((out.kind === 'CronJob' ? out.spec.jobTemplate.spec.template : out.spec.template).metadata?.annotations?.[
              'gracekeeper.io/injected'
            ] ?? '{}'),
      );
      for (const name of record.added?.preStop ?? []) {
        const c = [...spec.containers, ...(spec.initContainers ?? [])].find((x: Obj) => x.name === name);
        const seconds =
          c.lifecycle.preStop.sleep?.seconds ?? Number(/sleep (\d+)/.exec(c.lifecycle.preStop.exec.command[2])?.[1]);
        assert.ok(grace > seconds, `grace ${grace} not above sleep ${seconds}`);
      }
    }),
    { numRuns: RUNS },
  );
});

test('user-written handlers and probes come out byte for byte the same', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const input = build(s);
      const result = run(input, s.cluster, namespaceOf(s), s.version);
      const before = [...podSpecOf(input).containers, ...(podSpecOf(input).initContainers ?? [])];
      const after = [...podSpecOf(result.object as Obj).containers, ...(podSpecOf(result.object as Obj).initContainers ?? [])];
      for (const c of before) {
        const o = after.find((x: Obj) => x.name === c.name);
        if (c.lifecycle?.preStop) assert.equal(JSON.stringify(o.lifecycle.preStop), JSON.stringify(c.lifecycle.preStop));
        if (c.readinessProbe) assert.equal(JSON.stringify(o.readinessProbe), JSON.stringify(c.readinessProbe));
        if (c.startupProbe) assert.equal(JSON.stringify(o.startupProbe), JSON.stringify(c.startupProbe));
      }
    }),
    { numRuns: RUNS },
  );
});

test('Pods are never denied; warnings stay under 120 characters; init containers only change when named sidecars', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const input = build(s);
      const result = run(input, s.cluster, namespaceOf(s), s.version);
      if (s.kind.kind === 'Pod') assert.equal(result.denial, undefined);
      for (const w of result.warnings) assert.ok(w.length < 120, `warning too long: ${w}`);
      const named = [s.template, s.workload, s.ns].flatMap((layer) =>
        (layer['gracekeeper.io/containers'] ?? '').split(',').map((x) => x.trim()),
      );
      for (const c of podSpecOf(input).initContainers ?? []) {
        const o = podSpecOf(result.object as Obj).initContainers.find((x: Obj) => x.name === c.name);
        if (c.restartPolicy !== 'Always' || !named.includes(c.name)) assert.deepEqual(o, c);
      }
    }),
    { numRuns: RUNS },
  );
});

/** The template (or Pod) of an output object. */
function templateOf(out: Obj): Obj {
  return out.kind === 'Pod' ? out : out.kind === 'CronJob' ? out.spec.jobTemplate.spec.template : out.spec.template;
}

/** Seconds of the proxy wait gracekeeper wrote under `key`. */
function waitOf(key: string, value: string): number {
  if (key === 'proxy.istio.io/config') {
    const match = /terminationDrainDuration"?:\s*"?([0-9a-z.]+)"?/.exec(value);
    return (parseDurationMs(match?.[1] ?? '') ?? NaN) / 1000;
  }
  return Number(value);
}

test('a proxy wait is at least sleep + drain and below the grace period; the grace period covers sleep + drain + sidecar drain', () => {
  const seen = { waits: 0, sidecars: 0 };
  fc.assert(
    fc.property(scenario, (s) => {
      const input = build(s);
      fc.pre(acceptable(input));
      const result = run(input, s.cluster, namespaceOf(s), s.version);
      if (result.denial || result.outcome !== 'mutated') return;
      const out = result.object as Obj;
      const meta = templateOf(out).metadata;
      const record = JSON.parse(meta.annotations?.['gracekeeper.io/injected'] ?? '{}');
      if (!record.budget) return;
      const [, sleep, drain, sidecars] = /^sleep (\S+) \+ drain (\S+)(?: \+ sidecars (\S+))? =/.exec(record.budget) ?? [];
      const secs = (t: string | undefined) => (t === undefined ? 0 : (parseDurationMs(t) ?? NaN) / 1000);
      const spec = podSpecOf(out);
      const ns = namespaceOf(s);
      const layers = [
        { source: 'namespace' as const, annotations: ns.annotations },
        { source: 'workload' as const, annotations: out.kind === 'Pod' ? {} : s.workload },
        { source: 'template' as const, annotations: meta.annotations },
      ];
      const settings = resolveSettings(s.cluster.defaults, layers).settings;
      assert.equal(secs(drain), settings.drainTimeout, 'the budget names the drain-timeout in effect');
      for (const name of record.added?.preStop ?? []) {
        const c = [...spec.containers, ...(spec.initContainers ?? [])].find((x: Obj) => x.name === name);
        const hook = c.lifecycle.preStop.sleep?.seconds ?? Number(/sleep (\d+)/.exec(c.lifecycle.preStop.exec.command[2])?.[1]);
        assert.equal(secs(sleep), hook, 'the budget names the sleep written');
      }
      const nativeSidecars = (spec.initContainers ?? []).some((c: Obj) => c.restartPolicy === 'Always');
      if (settings.sidecarDrainTimeout !== undefined) assert.equal(secs(sidecars), settings.sidecarDrainTimeout);
      else if (nativeSidecars) assert.equal(secs(sidecars), 5);
      const grace = spec.terminationGracePeriodSeconds ?? 30; // unset: the API server's default
      const waits = Object.keys(record.annotations ?? {}).map((key) => waitOf(key, meta.annotations[key]));
      const need = Math.max(secs(sleep) + secs(drain) + secs(sidecars), ...waits.map((w) => w + 1));
      // An exact grace period, or a need above the cluster maximum (clamped, with a warning), is not sized here.
      const bounded = settings.terminationGracePeriod !== undefined || need > s.cluster.maxTerminationGracePeriod;
      if (!bounded) assert.ok(grace >= secs(sleep) + secs(drain) + secs(sidecars), `grace ${grace} under ${record.budget}`);
      if (secs(sidecars) > 0) seen.sidecars++;
      for (const key of Object.keys(record.annotations ?? {})) {
        seen.waits++;
        const wait = waitOf(key, meta.annotations[key]);
        assert.ok(wait >= secs(sleep) + secs(drain), `${key} ${wait} under ${record.budget}`);
        if (!bounded) assert.ok(grace > wait, `grace ${grace} not above the ${key} wait ${wait}`);
      }
    }),
    { numRuns: RUNS },
  );
  assert.ok(seen.waits > 0 && seen.sidecars > 0, `too few cases with proxy waits or sidecars: ${JSON.stringify(seen)}`);
});
