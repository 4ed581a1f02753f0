// kube-apiserver paused (SIGSTOP) for 30 s during a burst of admissions: gracekeeper answers every
// AdmissionReview sent straight to it within the webhook's 5 s timeout (from its cache; a namespace
// it does not hold costs at most its 1 s lookup bound), Pods created through the API server before,
// during and after the pause are all stored mutated, and the API server's webhook client logs no
// error calling gracekeeper. Its Namespace watch outlives the pause.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from '../ensure-binaries.js';
import { getStatus } from '../gracekeeper.js';
import { recordOf, type Obj } from '../kube.js';
import {
  annotate,
  faultCluster,
  logSize,
  patientApi,
  podObject,
  sleep,
  timeUntil,
  webhookFailures,
  type DirectAnswer,
  type FaultCluster,
} from './fixture.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };
const PAUSE_MS = 30_000;
const WEBHOOK_TIMEOUT_MS = 5000;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

describe('kube-apiserver paused for 30 s under a burst of admissions', opts, () => {
  let f: FaultCluster;
  before(async () => {
    if (!skip) f = await faultCluster();
  });
  after(() => f?.stop());

  it('answers every admission within the webhook timeout; the API server sees no error from gracekeeper', async () => {
    const { cp, gk, direct, kube } = f;
    const ns = await kube.namespace('pause', { annotations: { 'gracekeeper.io/pre-stop-sleep': '7s' } });
    await timeUntil('the annotation in the cache', async () => (await direct.sleepFor(ns)) === 7, 20_000);
    const apiLog = cp.components.find((c) => c.name === 'kube-apiserver')?.logPath as string;
    const apiLogFrom = logSize(apiLog);

    let running = true;
    const cached: DirectAnswer[] = [];
    const uncached: DirectAnswer[] = [];
    const readyz: number[] = [];
    const burst = async (into: DirectAnswer[], nsOf: (i: number) => string) => {
      for (let i = 0; running; i++) {
        into.push(await direct.review(nsOf(i), 2 * WEBHOOK_TIMEOUT_MS));
        await sleep(2); // a burst, not all of a shared machine
      }
    };
    const loops = [
      ...[1, 2, 3, 4].map(() => burst(cached, () => ns)),
      burst(uncached, (i) => `pause-unknown-${i}`), // a lookup each: the paused API server never answers it
      (async () => {
        while (running) {
          readyz.push(await getStatus(`https://127.0.0.1:${gk.port}/readyz`, gk.caPem));
          await sleep(500);
        }
      })(),
    ];
    // Pods through the API server, one after another; held while the pause starts, so that none is
    // caught between its webhook call and the answer (that timeout would be the pause's, not ours).
    const created: { status: number; mutated: boolean; ms: number }[] = [];
    const gate: { hold?: Promise<void> } = {};
    const creating = (async () => {
      for (let i = 0; running; i++) {
        await gate.hold;
        const t0 = Date.now();
        const res = await patientApi<Obj>(cp, 120_000, 'POST', `/api/v1/namespaces/${ns}/pods`, podObject(`p-${i}`, ns));
        created.push({ status: res.status, mutated: recordOf(res.body?.metadata) !== undefined, ms: Date.now() - t0 });
      }
    })();

    await sleep(3000);
    let release = () => {};
    gate.hold = new Promise((r) => (release = r));
    await sleep(300); // the Pod in progress finishes
    cp.signal('kube-apiserver', 'SIGSTOP');
    const pausedAt = Date.now();
    const before = { cached: cached.length, uncached: uncached.length, created: created.length };
    release(); // the next Pod waits in the API server's socket for the whole pause
    await sleep(PAUSE_MS);
    cp.signal('kube-apiserver', 'SIGCONT');
    const during = { cached: cached.length - before.cached, uncached: uncached.length - before.uncached };
    const resumedAt = Date.now();
    await sleep(5000);
    running = false;
    await Promise.all([...loops, creating]);

    await annotate(cp, ns, { 'gracekeeper.io/pre-stop-sleep': '9s' });
    const watchMs = await timeUntil('a change after the pause', async () => (await direct.sleepFor(ns)) === 9, 10_000);
    const failures = webhookFailures(apiLog, apiLogFrom);
    const ms = (list: DirectAnswer[]) => list.map((a) => a.ms);
    process.stderr.write(
      `e2e faults: API server paused ${resumedAt - pausedAt} ms; direct admissions: ${cached.length} cached ` +
        `(${during.cached} during the pause; p50 ${percentile(ms(cached), 50).toFixed(1)} ms, p99 ` +
        `${percentile(ms(cached), 99).toFixed(1)} ms, max ${Math.max(...ms(cached)).toFixed(1)} ms), ${uncached.length} ` +
        `uncached (${during.uncached} during; max ${Math.max(...ms(uncached)).toFixed(1)} ms); ${created.length} Pods ` +
        `through the API server (${created.length - before.created} from the pause on, slowest ` +
        `${Math.max(...created.map((c) => c.ms))} ms); ${failures.length} webhook errors in its log; the watch saw ` +
        `a change ${watchMs} ms after it was made\n`,
    );
    const late = [...cached, ...uncached].filter((a) => a.status !== 200 || a.ms >= WEBHOOK_TIMEOUT_MS);
    assert.deepEqual(late, [], 'every admission answered 200 within the webhook timeout');
    assert.ok(during.cached > 100 && during.uncached >= 10, `admissions during the pause: ${JSON.stringify(during)}`);
    assert.ok(Math.max(...ms(uncached)) < 1500, 'an uncached namespace costs at most the lookup bound');
    assert.ok(
      readyz.every((s) => s === 200),
      '/readyz stayed 200',
    );
    assert.ok(created.length - before.created >= 2, 'Pods created during and after the pause');
    assert.deepEqual(
      created.filter((c) => c.status !== 201 || !c.mutated),
      [],
      'every Pod created, and mutated',
    );
    assert.deepEqual(failures, [], "the API server's webhook client saw no error");
    assert.ok(watchMs < 5000, 'the Namespace watch outlived the pause');
  });
});
