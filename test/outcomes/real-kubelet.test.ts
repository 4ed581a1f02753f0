// The sequence `make outcomes-proof` saw on a real kubelet (v1.37.2, containerd) for an app that
// ignores SIGTERM, deleted with an 8 s grace period: the status update with the container
// terminated (exit 137, reason Error, finishedAt at the deadline) while deletionGracePeriodSeconds
// is still 8; then the kubelet's status manager deletes the pod with grace 0 (a MODIFIED with
// deletionGracePeriodSeconds 0 and a new deletionTimestamp); then DELETED. One kill, nothing more:
// the grace-0 update must not be judged again, nor undo it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryNamespaceSource } from '../../src/cluster/memory.js';
import { OutcomeTracker } from '../../src/cluster/outcome-tracker.js';
import type { Finding } from '../../src/engine/outcomes/types.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import { captureLogger } from '../server/helpers.js';
import { stoppedPod } from './shapes.js';

describe('outcomes: the sequence a real kubelet writes', () => {
  it('a kill at the grace period, then the kubelet’s own grace-0 deletion: one finding', () => {
    const namespaces = new MemoryNamespaceSource();
    namespaces.set('shop', {}, { 'gracekeeper.io/inject': 'enabled' });
    const found: Finding[] = [];
    const t = new OutcomeTracker({
      log: captureLogger().logger,
      namespaces,
      settings: () => DEFAULT_CLUSTER_SETTINGS,
      onFinding: (f) => found.push(f),
    });
    // Deleted at 13:05:34 with 8 s; containerd's finishedAt 13:05:42 (whole seconds), exit 137, Error.
    const killed = stoppedPod({ deletedAt: '2026-12-04T13:05:34Z', grace: 8, finishedAt: '2026-12-04T13:05:42Z', exitCode: 137 });
    t.onPod('MODIFIED', killed);
    const final = structuredClone(killed) as { metadata: Record<string, unknown> };
    final.metadata.deletionTimestamp = '2026-12-04T13:05:43Z';
    final.metadata.deletionGracePeriodSeconds = 0;
    t.onPod('MODIFIED', final);
    t.onPod('DELETED', final);
    assert.deepEqual(
      found.map((f) => [f.outcome, f.container, f.evidence]),
      [['killed-at-grace-period', 'app', "exitCode 137 at the grace period's end (8s)"]],
    );
  });
});
