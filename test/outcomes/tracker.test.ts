// The tracker between the streams and the memory: only opted-in namespaces, each finding once,
// gracekeeper's probe judged by the periodic sweep when no new status arrives, events only for
// pods it has seen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryNamespaceSource } from '../../src/cluster/memory.js';
import { OutcomeTracker } from '../../src/cluster/outcome-tracker.js';
import type { Finding } from '../../src/engine/outcomes/types.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import { captureLogger } from '../server/helpers.js';
import { kubeletEvent, runningPod, stoppedPod } from './shapes.js';

const STARTED = Date.parse('2026-12-04T05:00:00Z');

function tracker() {
  const namespaces = new MemoryNamespaceSource();
  namespaces.set('shop', {}, { 'gracekeeper.io/inject': 'enabled' });
  namespaces.set('dev', {}, {});
  const found: Finding[] = [];
  const seen: string[] = [];
  let now = STARTED + 10_000;
  const t = new OutcomeTracker({
    log: captureLogger().logger,
    namespaces,
    settings: () => DEFAULT_CLUSTER_SETTINGS,
    onFinding: (f) => found.push(f),
    onNamespace: (ns) => seen.push(ns),
    now: () => now,
  });
  return { t, found, seen, namespaces, at: (ms: number) => (now = ms) };
}

describe('outcomes: the tracker', () => {
  it("judges gracekeeper's probe at the sweep once the bound has passed, once", () => {
    const { t, found, at } = tracker();
    t.onPod('ADDED', runningPod());
    assert.equal(found.length, 0);
    t.onEvent(
      'ADDED',
      kubeletEvent({ pod: 'web-7d4b9c8f6d-x2x7q', reason: 'Unhealthy', message: 'Readiness probe failed: refused', count: 9 }),
    );
    at(STARTED + 200_000);
    t.sweep();
    assert.equal(found.length, 0);
    at(STARTED + 301_000);
    t.sweep();
    t.sweep();
    assert.deepEqual(
      found.map((f) => [f.outcome, f.evidence]),
      [['readiness-never-passed', 'not Ready 301s after start, 9 readiness failures seen']],
    );
    assert.equal(t.outcomes('shop', { kind: 'Deployment', name: 'web' })?.neverReady, 1);
  });

  it('a pod that became Ready is no longer timed', () => {
    const { t, found, at } = tracker();
    t.onPod('ADDED', runningPod());
    t.onPod('MODIFIED', runningPod({ ready: true }));
    at(STARTED + 3_600_000);
    t.sweep();
    assert.deepEqual(
      found.map((f) => f.outcome),
      ['readiness-passed'],
    );
  });

  it('namespaces not opted in are dropped on arrival; events only count for pods seen', () => {
    const { t, found, seen } = tracker();
    const stopped = stoppedPod({
      namespace: 'dev',
      deletedAt: '2026-12-04T05:10:00Z',
      grace: 30,
      finishedAt: '2026-12-04T05:10:31Z',
      exitCode: 137,
    });
    t.onPod('MODIFIED', stopped);
    t.onEvent('ADDED', kubeletEvent({ pod: 'unknown', reason: 'FailedPreStopHook', message: 'PreStopHook failed' }));
    assert.equal(found.length, 0);
    assert.equal(seen.length, 0);
    assert.equal(t.remembered().pods, 0);
  });

  it('the same kill seen twice (MODIFIED, then DELETED) is reported once', () => {
    const { t, found, seen } = tracker();
    const stopped = stoppedPod({
      deletedAt: '2026-12-04T05:10:00Z',
      grace: 30,
      finishedAt: '2026-12-04T05:10:31Z',
      exitCode: 137,
    });
    t.onPod('MODIFIED', stopped);
    t.onPod('DELETED', stopped);
    assert.deepEqual(
      found.map((f) => f.outcome),
      ['killed-at-grace-period'],
    );
    assert.deepEqual(seen, ['shop', 'shop']);
  });

  it('what cannot be read is skipped, never thrown', () => {
    const { t, found } = tracker();
    t.onPod('ADDED', { metadata: { namespace: 'shop', name: 'x' } });
    t.onPod('ADDED', null);
    t.onEvent('ADDED', 'nonsense');
    assert.equal(found.length, 0);
  });
});
