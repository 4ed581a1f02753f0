// The classification of outcomes, pure, from the shapes the kubelet writes (shapes.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventFinding, readinessFindings, shutdownFindings } from '../../src/engine/outcomes/classify.js';
import { eventFacts } from '../../src/engine/outcomes/event-facts.js';
import { podFacts, workloadOf } from '../../src/engine/outcomes/pod-facts.js';
import { notReadyBound, NOT_READY_FLOOR_SECONDS } from '../../src/engine/outcomes/bound.js';
import { kubeletEvent, runningPod, stoppedPod } from './shapes.js';

const facts = (pod: unknown) => {
  const f = podFacts(pod);
  assert.ok(f, 'a pod with name, namespace and uid has facts');
  return f;
};

describe('outcomes: pod facts', () => {
  it("names a Deployment's pod by its Deployment and reads gracekeeper's probed containers from the record", () => {
    const f = facts(runningPod({ deployment: 'web' }));
    assert.deepEqual(f.workload, { kind: 'Deployment', name: 'web' });
    assert.deepEqual(f.probedByGracekeeper, ['app']);
    assert.equal(f.containers[0]?.startedAt, '2026-12-04T05:00:00Z');
  });

  it('a pod without the record has no probe of gracekeeper to judge', () => {
    assert.deepEqual(facts(runningPod({ record: false })).probedByGracekeeper, []);
  });

  it('other controllers keep their kind; a bare pod is its own workload', () => {
    assert.deepEqual(workloadOf({ ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] }, 'db-0'), {
      kind: 'StatefulSet',
      name: 'db',
    });
    assert.deepEqual(workloadOf({}, 'lonely'), { kind: 'Pod', name: 'lonely' });
    // A ReplicaSet whose name does not end in the pod's hash is not a Deployment's.
    assert.deepEqual(
      workloadOf(
        { labels: { 'pod-template-hash': 'abc' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', controller: true }] },
        'p',
      ),
      { kind: 'ReplicaSet', name: 'rs' },
    );
  });

  it('is undefined for what is not a pod with a name, a namespace and a uid', () => {
    assert.equal(podFacts({ metadata: { name: 'x' } }), undefined);
    assert.equal(podFacts('pod'), undefined);
  });
});

describe('outcomes: shutdowns', () => {
  const deletedAt = '2026-12-04T05:10:00Z';

  it('exit 137 at the grace period end is killed-at-grace-period', () => {
    // Deleted at 05:10:00 with 30 s: the runtime's SIGKILL came at 05:10:31 (the kubelet starts a little later).
    const found = shutdownFindings(
      facts(stoppedPod({ deletedAt, grace: 30, finishedAt: '2026-12-04T05:10:31Z', exitCode: 137 })),
    );
    assert.equal(found.length, 1);
    assert.equal(found[0]?.outcome, 'killed-at-grace-period');
    assert.equal(found[0]?.container, 'app');
    assert.deepEqual(found[0]?.workload, { kind: 'Deployment', name: 'web' });
  });

  it('whole-second timestamps: a kill a second before the deadline as written still counts', () => {
    const found = shutdownFindings(
      facts(stoppedPod({ deletedAt, grace: 30, finishedAt: '2026-12-04T05:10:29Z', exitCode: 137 })),
    );
    assert.equal(found[0]?.outcome, 'killed-at-grace-period');
  });

  it('exit 137 well before the deadline is not the grace period (the app was killed otherwise)', () => {
    const found = shutdownFindings(
      facts(stoppedPod({ deletedAt, grace: 30, finishedAt: '2026-12-04T05:10:12Z', exitCode: 137 })),
    );
    assert.deepEqual(
      found.map((f) => f.outcome),
      ['clean'],
    );
  });

  it('an OOM kill at the deadline is not a grace-period kill', () => {
    const pod = stoppedPod({ deletedAt, grace: 30, finishedAt: '2026-12-04T05:10:31Z', exitCode: 137, reason: 'OOMKilled' });
    assert.equal(shutdownFindings(facts(pod))[0]?.outcome, 'clean');
  });

  it('exit 0 or 143 within the grace period is clean', () => {
    for (const exitCode of [0, 143]) {
      const found = shutdownFindings(facts(stoppedPod({ deletedAt, grace: 30, finishedAt: '2026-12-04T05:10:08Z', exitCode })));
      assert.deepEqual(
        found.map((f) => f.outcome),
        ['clean'],
      );
    }
  });

  it('nothing while a container runs, for a pod not deleted, or for a forced deletion', () => {
    assert.deepEqual(shutdownFindings(facts(runningPod())), []);
    const running = runningPod() as { metadata: Record<string, unknown> };
    running.metadata.deletionTimestamp = '2026-12-04T05:10:30Z';
    running.metadata.deletionGracePeriodSeconds = 30;
    assert.deepEqual(shutdownFindings(facts(running)), []);
    const forced = stoppedPod({ deletedAt, grace: 0, finishedAt: '2026-12-04T05:10:00Z', exitCode: 137 });
    assert.deepEqual(shutdownFindings(facts(forced)), []);
  });
});

describe("outcomes: gracekeeper's readiness probe", () => {
  const started = Date.parse('2026-12-04T05:00:00Z');

  it('Ready is readiness-passed', () => {
    const found = readinessFindings(facts(runningPod({ ready: true })), started + 10_000);
    assert.deepEqual(
      found.map((f) => f.outcome),
      ['readiness-passed'],
    );
  });

  it('not Ready within the bound is nothing yet; past it, readiness-never-passed with the failures seen', () => {
    const f = facts(runningPod());
    assert.equal(f.notReadyBoundSeconds, NOT_READY_FLOOR_SECONDS);
    assert.deepEqual(readinessFindings(f, started + 299_000), []);
    const found = readinessFindings(f, started + 301_000, 58);
    assert.equal(found[0]?.outcome, 'readiness-never-passed');
    assert.match(found[0]?.evidence ?? '', /58 readiness failures/);
  });

  it('a pod being deleted is not judged', () => {
    const pod = runningPod() as { metadata: Record<string, unknown> };
    pod.metadata.deletionTimestamp = '2026-12-04T05:30:00Z';
    assert.deepEqual(readinessFindings(facts(pod), started + 3_600_000), []);
  });

  it('the bound: five minutes, or twice what the probes allow when longer', () => {
    assert.equal(notReadyBound([{ readinessProbe: { periodSeconds: 5, failureThreshold: 2 } }]), 300);
    // startup-timeout 10m: startupProbe 600 s, readiness 10 s -> twice 610 s.
    const slow = [
      { startupProbe: { periodSeconds: 5, failureThreshold: 120 }, readinessProbe: { periodSeconds: 5, failureThreshold: 2 } },
    ];
    assert.equal(notReadyBound(slow), 1220);
  });
});

describe('outcomes: kubelet events', () => {
  const pod = { workload: { kind: 'Deployment', name: 'web' }, uid: 'u1' };

  it('FailedPreStopHook (its message is "PreStopHook failed") is prestop-hook-failed for the container', () => {
    const e = eventFacts(
      kubeletEvent({ pod: 'web-1', reason: 'FailedPreStopHook', message: 'PreStopHook failed', container: 'app' }),
    );
    assert.ok(e);
    const f = eventFinding(e, pod);
    assert.equal(f?.outcome, 'prestop-hook-failed');
    assert.equal(f?.container, 'app');
  });

  it("ExceededGracePeriod (eviction's kill not done in 1.5 x the grace period) is killed-at-grace-period", () => {
    const e = eventFacts(
      kubeletEvent({
        pod: 'web-1',
        reason: 'ExceededGracePeriod',
        message: 'Container runtime did not kill the pod within specified grace period.',
      }),
    );
    assert.ok(e);
    assert.equal(eventFinding(e, pod)?.outcome, 'killed-at-grace-period');
  });

  it('Unhealthy keeps only which probe failed, never the message; it is evidence, not a finding', () => {
    const e = eventFacts(
      kubeletEvent({
        pod: 'web-1',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: dial tcp 10.0.0.7:8080: connect: connection refused',
        container: 'app',
        count: 12,
      }),
    );
    assert.ok(e);
    assert.equal(e.probe, 'Readiness');
    assert.equal(e.count, 12);
    assert.ok(!JSON.stringify(e).includes('connection refused'));
    assert.equal(eventFinding(e, pod), undefined);
  });

  it('events about other kinds or other reasons are not read', () => {
    const killing = kubeletEvent({ pod: 'web-1', reason: 'Killing', message: 'Stopping container app', type: 'Normal' });
    assert.equal(eventFacts(killing), undefined);
    const node = kubeletEvent({ pod: 'n', reason: 'FailedPreStopHook', message: 'x' });
    (node.involvedObject as Record<string, unknown>).kind = 'Node';
    assert.equal(eventFacts(node), undefined);
  });
});
