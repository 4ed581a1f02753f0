// Properties of the webhook refining the baseline, over the engine's generated pod specs, kinds,
// annotations and cluster settings: whatever a baseline wrote and marked (a preStop sleep on each
// container without one, the grace period raised), the webhook's output is what it gives the
// object without the baseline, carries no mark, and a second pass yields no patch. The baseline
// here is a model of what the policy writes; the policy itself runs on a real API server in
// test/e2e/baseline.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { BASELINE_KEY } from '../../src/engine/record/mark.js';
import { admit } from '../../src/engine/admit.js';
import { gvkOf } from '../../src/kube/gvk.js';
import type { ClusterSettings } from '../../src/settings/cluster-settings.js';
import type { AdmissionResult } from '../../src/engine/types.js';
import { annotations, clusterSettings, KINDS, kubeVersion, podSpec, wrap } from '../engine/arbitraries.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
type Obj = Record<string, any>;

function templateOf(o: Obj): Obj {
  if (o.kind === 'Pod') return o;
  return o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
}

/** What the policy writes with these settings and no annotations read: the model the properties use. */
function withBaseline(object: Obj, cluster: ClusterSettings, sleep: number, drain: number): Obj {
  const out = structuredClone(object);
  const t = templateOf(out);
  t.metadata ??= {};
  const ann = (t.metadata.annotations ??= {}) as Record<string, string>;
  if (ann['gracekeeper.io/injected'] !== undefined) return object;
  const max = cluster.maxTerminationGracePeriod;
  const s = Math.min(sleep, max - 1);
  const current = t.spec.terminationGracePeriodSeconds as number;
  const wanted = Math.min(Math.max(s + drain, s + 1), max);
  const grace = current >= wanted || current >= max ? current : wanted;
  const names: string[] = [];
  if (s > 0 && s < grace) {
    for (const c of t.spec.containers as Obj[]) {
      if (cluster.excludeContainers.includes(c.name) || c.lifecycle?.preStop) continue;
      c.lifecycle = { ...c.lifecycle, preStop: { sleep: { seconds: s } } };
      names.push(c.name);
    }
  }
  if (grace > current) t.spec.terminationGracePeriodSeconds = grace;
  const parts = [
    names.length ? `preStop=${names.join(',')}` : '',
    names.length ? `sleep=${s}` : '',
    grace > current ? `grace=${current}>${grace}` : '',
  ].filter(Boolean);
  if (parts.length === 0) return object;
  ann[BASELINE_KEY] = parts.join(' ');
  return out;
}

function run(object: Obj, cluster: ClusterSettings, ns: Record<string, string>, version: any): AdmissionResult {
  return admit({
    kind: gvkOf(object)!,
    operation: 'CREATE',
    namespace: 'shop',
    object,
    namespaceLabels: {},
    namespaceAnnotations: ns,
    kubeVersion: version,
    cluster,
  });
}

const applied = (o: Obj, r: AdmissionResult): Obj =>
  fastJsonPatch.applyPatch(structuredClone(o), structuredClone(r.patch), true, false).newDocument;

const scenario = fc.record({
  kind: fc.constantFrom(...KINDS),
  spec: podSpec,
  workload: annotations,
  template: annotations,
  ns: annotations,
  cluster: clusterSettings,
  version: kubeVersion,
  sleep: fc.integer({ min: 1, max: 120 }),
  drain: fc.integer({ min: 0, max: 120 }),
});

test('the webhook over the baseline: its own output, no mark, and no patch on a second pass', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const pristine = JSON.parse(JSON.stringify(wrap(s.kind, s.spec, s.workload, s.template, {}))) as Obj;
      // The API server defaults the grace period before any admission plugin sees the object.
      templateOf(pristine).spec.terminationGracePeriodSeconds ??= 30;
      const baselined = withBaseline(pristine, s.cluster, s.sleep, s.drain);
      const direct = run(pristine, s.cluster, s.ns, s.version);
      const refined = run(baselined, s.cluster, s.ns, s.version);
      if (direct.denial) {
        assert.ok(refined.denial, 'denied alike');
        return;
      }
      if (direct.outcome === 'skipped') return; // out of scope: the policy's selectors keep it out as well
      const stored = applied(baselined, refined);
      assert.equal(templateOf(stored).metadata?.annotations?.[BASELINE_KEY], undefined, 'the mark is gone');
      assert.deepEqual(stored, applied(pristine, direct), 'the same as without the baseline');
      assert.deepEqual(run(stored, s.cluster, s.ns, s.version).patch, [], 'a second pass yields no patch');
    }),
    { numRuns: RUNS },
  );
});
