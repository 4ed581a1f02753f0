// What outcomes remember (bounded, each finding once per pod) and what they advise at an UPDATE.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutcomeMemory, RETENTION_MS } from '../../src/cluster/outcome-memory.js';
import { Lru } from '../../src/cluster/lru.js';
import { admit } from '../../src/engine/admit.js';
import { emptyOutcomes, outcomeFix, outcomeWarnings } from '../../src/engine/outcomes/advice.js';
import { shutdownFindings } from '../../src/engine/outcomes/classify.js';
import { podFacts } from '../../src/engine/outcomes/pod-facts.js';
import { Metrics, MAX_OUTCOME_NAMESPACES } from '../../src/metrics/metrics.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import { stoppedPod } from './shapes.js';

const web = { kind: 'Deployment', name: 'web' };

describe('outcomes: bounded memory', () => {
  it('an LRU never holds more than its capacity and drops the least recently used', () => {
    const lru = new Lru<string, number>(3);
    for (const k of ['a', 'b', 'c']) lru.set(k, 1);
    lru.get('a');
    lru.set('d', 1);
    assert.equal(lru.size, 3);
    assert.equal(lru.peek('b'), undefined);
    assert.equal(lru.peek('a'), 1);
    assert.equal(lru.evicted, 1);
  });

  it('a finding is counted once per pod; two killed containers of one pod are one killed shutdown', () => {
    const memory = new OutcomeMemory(10, 10);
    const pod = stoppedPod({ deletedAt: '2026-12-04T05:10:00Z', grace: 30, finishedAt: '2026-12-04T05:10:31Z', exitCode: 137 });
    const statuses = (pod.status as { containerStatuses: Array<Record<string, unknown>> }).containerStatuses;
    statuses.push({ ...statuses[0], name: 'sidecar' });
    const facts = podFacts(pod);
    assert.ok(facts);
    const remembered = memory.pod(facts);
    const found = shutdownFindings(facts);
    assert.equal(found.length, 2);
    assert.deepEqual(
      found.map((f) => memory.note(f, remembered)),
      [true, true],
    );
    assert.equal(memory.note(found[0], remembered), false, 'the same finding again is not new');
    assert.equal(memory.outcomes('shop', web)?.killed, 1);
  });

  it('workloads beyond the capacity are forgotten, and outcomes older than a day too', () => {
    let now = 0;
    const memory = new OutcomeMemory(100, 2, () => now);
    for (const name of ['a', 'b', 'c']) {
      const f = {
        namespace: 'ns',
        workload: { kind: 'Deployment', name },
        pod: `${name}-1`,
        uid: name,
        outcome: 'clean' as const,
        evidence: '',
      };
      memory.note(f, { uid: name, workload: f.workload, reported: new Set(), unhealthy: 0 });
    }
    assert.equal(memory.workloadCount(), 2);
    assert.equal(memory.outcomes('ns', { kind: 'Deployment', name: 'a' }), undefined);
    assert.equal(memory.outcomes('ns', { kind: 'Deployment', name: 'c' })?.clean, 1);
    now = RETENTION_MS + 1;
    assert.equal(memory.outcomes('ns', { kind: 'Deployment', name: 'c' }), undefined);
  });
});

describe('outcomes: advice', () => {
  it('names the annotation to set, each warning under 120 characters', () => {
    const o = { ...emptyOutcomes(web), killed: 3, hookFailed: 1, neverReady: 2 };
    const warnings = outcomeWarnings(o);
    assert.equal(warnings.length, 3);
    assert.match(warnings[0] ?? '', /3 recent pods killed at the grace period's end.*gracekeeper\.io\/drain-timeout/);
    assert.match(warnings[1] ?? '', /gracekeeper\.io\/pre-stop-mode: sleep/);
    assert.match(warnings[2] ?? '', /gracekeeper\.io\/readiness: none/);
    for (const w of warnings) assert.ok(w.length < 120, w);
    assert.match(outcomeFix(o), /^gracekeeper\.io\/readiness: none/);
  });

  it('a probe that passed on any recent pod is not called never-passing; all clean says nothing', () => {
    assert.deepEqual(outcomeWarnings({ ...emptyOutcomes(web), neverReady: 1, readyPassed: 4 }), []);
    assert.deepEqual(outcomeWarnings({ ...emptyOutcomes(web), clean: 9, readyPassed: 9 }), []);
    assert.equal(outcomeFix({ ...emptyOutcomes(web), clean: 9 }), '-');
  });

  it("the engine adds the warnings to a workload's UPDATE only, never a change", () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
      },
    };
    const input = {
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      namespace: 'shop',
      object: deployment,
      namespaceLabels: { 'gracekeeper.io/inject': 'enabled' },
      namespaceAnnotations: {},
      cluster: DEFAULT_CLUSTER_SETTINGS,
      outcomes: { ...emptyOutcomes(web), killed: 2 },
    };
    const update = admit({ ...input, operation: 'UPDATE' });
    const create = admit({ ...input, operation: 'CREATE' });
    assert.ok(update.warnings.some((w) => w.includes('gracekeeper.io/drain-timeout')));
    assert.ok(!create.warnings.some((w) => w.includes('gracekeeper.io/drain-timeout')));
    assert.deepEqual(update.patch, create.patch, 'the advice changes nothing in the patch');
  });
});

describe('outcomes: metrics', () => {
  it('counts per namespace and outcome, the namespace label bounded', async () => {
    const metrics = new Metrics();
    for (let i = 0; i < MAX_OUTCOME_NAMESPACES + 5; i++) metrics.countOutcome(`ns-${i}`, 'clean');
    metrics.countOutcome('ns-0', 'killed-at-grace-period');
    const values = (await metrics.podOutcomes.get()).values;
    // Every outcome of every namespace named, from 0; the rest as "other".
    assert.equal(values.length, (MAX_OUTCOME_NAMESPACES + 1) * 5);
    const value = (ns: string, outcome: string) =>
      values.find((v) => v.labels.pod_namespace === ns && v.labels.outcome === outcome)?.value;
    assert.equal(value('other', 'clean'), 5);
    assert.equal(value('ns-0', 'killed-at-grace-period'), 1);
    assert.equal(value('ns-0', 'prestop-hook-failed'), 0);
  });
});
