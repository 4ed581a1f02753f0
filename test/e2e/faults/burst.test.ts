// A burst at the control plane's own pace: a Job of parallelism 500, whose controller creates its
// 500 Pods as fast as kube-controller-manager goes (they stay Pending: no scheduler, no kubelet).
// Every Pod is admitted once by gracekeeper (its log has one line per admission: none lost) and
// mutated; none took it 1 s: each admission's own time, and the longest its event loop was late
// (what a request waits for it before that) are under 1 s; no call fell open. The API server's
// webhook latency histogram is printed beside: on a busy 2-core machine it measures the machine
// (a bare node:https responder in gracekeeper's place shows the same spread; test/e2e/README.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from '../ensure-binaries.js';
import { eventually, recordOf, type Obj } from '../kube.js';
import { faultCluster, logSize, metric, podObject, webhookFailures, type FaultCluster } from './fixture.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };
const PODS = 500;
const WEBHOOK = 'mutate.gracekeeper.io';

/** The API server's webhook latency histogram for gracekeeper's CREATE admissions: calls in all, and within 1 s. */
async function webhookLatency(
  f: FaultCluster,
): Promise<{ count: number; withinOneSecond: number; buckets: Record<string, number> }> {
  const res = await f.cp.api<string>('GET', '/metrics');
  const sum = (metric: string, le?: string) =>
    res.text
      .split('\n')
      .filter((l) => l.startsWith(`${metric}{`) && l.includes(`name="${WEBHOOK}"`) && l.includes('operation="CREATE"'))
      .filter((l) => le === undefined || l.includes(`le="${le}"`))
      .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    count: sum('apiserver_admission_webhook_admission_duration_seconds_count'),
    withinOneSecond: sum('apiserver_admission_webhook_admission_duration_seconds_bucket', '1'),
    buckets: Object.fromEntries(
      ['0.005', '0.025', '0.1', '0.5', '1', '2.5', '10', '25'].map((le) => [
        le,
        sum('apiserver_admission_webhook_admission_duration_seconds_bucket', le),
      ]),
    ),
  };
}

describe('a burst: a Job of parallelism 500', opts, () => {
  let f: FaultCluster;
  before(async () => {
    if (!skip) f = await faultCluster();
  });
  after(() => f?.stop());

  it('admits every Pod once, each within 1 s, all mutated', async () => {
    const { cp, gk, kube } = f;
    const ns = await kube.namespace('burst');
    const before = await webhookLatency(f);
    const apiLog = cp.components.find((c) => c.name === 'kube-apiserver')?.logPath as string;
    const apiLogFrom = logSize(apiLog);
    await metric(gk, 'nodejs_eventloop_lag_max_seconds'); // a read resets it: from here on
    const template = podObject('unused', ns);
    const t0 = Date.now();
    await kube.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'burst', namespace: ns },
      spec: {
        parallelism: PODS,
        completions: PODS,
        template: { metadata: { labels: { app: 'burst' } }, spec: { ...template.spec, restartPolicy: 'Never' } },
      },
    });
    const pods = await eventually(
      `${PODS} Pods of the Job`,
      async () => {
        const items = await kube.list(`/api/v1/namespaces/${ns}/pods`);
        return items.length >= PODS ? items : undefined;
      },
      { timeoutMs: 180_000, components: [...cp.components, gk.component] },
    );
    const createdMs = Date.now() - t0;
    const lines = await eventually(
      "gracekeeper's log line for each Pod",
      () => {
        const found = gk.logLines().filter((l) => l.msg === 'admission' && l.namespace === ns && l.kind === 'Pod');
        return Promise.resolve(found.length >= PODS ? found : undefined);
      },
      { timeoutMs: 10_000 },
    );
    const lagMs = 1000 * (await metric(gk, 'nodejs_eventloop_lag_max_seconds'));
    const after = await webhookLatency(f);
    const calls = after.count - before.count;
    const slow = calls - (after.withinOneSecond - before.withinOneSecond);
    const ms = lines.map((l) => Number(l.ms));
    const uids = new Set(lines.map((l) => String(l.uid)));
    const unmutated = pods.filter((p: Obj) => recordOf(p.metadata) === undefined);
    process.stderr.write(
      `e2e faults: burst: ${pods.length} Pods created in ${createdMs} ms; gracekeeper logged ${lines.length} Pod ` +
        `admissions (slowest ${Math.max(...ms).toFixed(2)} ms by its clock, event loop at most ${lagMs.toFixed(0)} ms late); ` +
        `the API server made ${calls} webhook ` +
        `calls, ${slow} over 1 s (by bucket: ${JSON.stringify(Object.fromEntries(Object.entries(after.buckets).map(([k, v]) => [k, v - (before.buckets[k] ?? 0)])))}); ${unmutated.length} Pods unmutated\n`,
    );
    assert.equal(pods.length, PODS, 'the Job controller made exactly its Pods');
    assert.equal(lines.length, PODS, 'one admission per Pod in the log: none lost, none twice');
    assert.equal(uids.size, PODS, 'each a separate request');
    assert.equal(unmutated.length, 0, 'every Pod mutated');
    assert.ok(Math.max(...ms) < 1000, 'none slower than 1 s by its own clock');
    assert.ok(lagMs < 1000, `no request waited 1 s for its event loop (${lagMs} ms)`);
    assert.ok(calls >= PODS + 1, `the API server's histogram counts the Job and its Pods (${calls})`);
    assert.deepEqual(webhookFailures(apiLog, apiLogFrom), [], 'no call fell open');
  });
});
