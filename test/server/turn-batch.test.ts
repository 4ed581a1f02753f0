// Admissions ready in one turn of the event loop run back to back while other requests are in
// flight (src/http/turn-batch.ts): each still gets its own answer, in order, and one that fails does
// not take the others with it; with nothing else in flight an admission is answered at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { MemoryNamespaceSource, StaticVersionSource } from '../../src/cluster/memory.js';
import { admit } from '../../src/engine/admit.js';
import { admission, type AdmissionDeps } from '../../src/http/admission.js';
import { decodeBody, type AdmissionReviewResponse } from '../../src/http/review-codec.js';
import { turnBatch } from '../../src/http/turn-batch.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import { pod } from './fixtures.js';
import { decodePatch, review } from './helpers.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A failure callback that must not be called. */
const never = (err: unknown): void => assert.fail(`unexpected failure: ${String(err)}`);

describe('turnBatch', () => {
  it('runs a task at once, a throw reaching the caller, when nothing else is in flight', () => {
    const schedule = turnBatch(() => false);
    const ran: string[] = [];
    schedule(() => ran.push('a'), never);
    assert.deepEqual(ran, ['a']);
    assert.throws(
      () =>
        schedule(() => {
          throw new Error('boom');
        }, never),
      /boom/,
    );
  });

  it('defers tasks to the check phase while others are in flight, in order, and a throw goes to its own failed', async () => {
    const schedule = turnBatch(() => true);
    const ran: string[] = [];
    const failures: unknown[] = [];
    schedule(() => ran.push('a'), never);
    schedule(
      () => {
        throw new Error('b failed');
      },
      (err) => failures.push(err),
    );
    schedule(() => ran.push('c'), never);
    assert.equal(ran.length, 0, 'nothing ran in the turn that scheduled it');
    await nextTurn();
    assert.deepEqual(ran, ['a', 'c']);
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /b failed/);
  });

  it("runs what the batch's tasks hand to after once every task has run; a late hand-over at once", async () => {
    const schedule = turnBatch(() => true);
    const order: string[] = [];
    let late: ((fn: () => void) => void) | undefined;
    for (const name of ['a', 'b']) {
      schedule((after) => {
        order.push(`decide ${name}`);
        after(() => order.push(`write ${name}`));
        late = after;
      }, never);
    }
    await nextTurn();
    assert.deepEqual(order, ['decide a', 'decide b', 'write a', 'write b']);
    late?.(() => order.push('late write'));
    assert.equal(order.at(-1), 'late write', 'after the batch, handed over and run at once');
    const alone = turnBatch(() => false);
    alone((after) => after(() => order.push('alone write')), never);
    assert.equal(order.at(-1), 'alone write', 'a task run at once writes at once');
  });

  it('queues a task behind a waiting batch even when nothing else is in flight, so order holds', async () => {
    let concurrent = true;
    const schedule = turnBatch(() => concurrent);
    const ran: string[] = [];
    schedule(() => ran.push('first'), never);
    concurrent = false;
    schedule(() => ran.push('second'), never);
    assert.equal(ran.length, 0);
    await nextTurn();
    assert.deepEqual(ran, ['first', 'second']);
    schedule(() => ran.push('alone'), never);
    assert.deepEqual(ran, ['first', 'second', 'alone'], 'with the batch gone, at once again');
  });
});

describe('admissions in one turn', () => {
  const deps = (inFlight: { count: number }, engine = admit): AdmissionDeps => ({
    admit: engine,
    settings: () => DEFAULT_CLUSTER_SETTINGS,
    namespaces: new MemoryNamespaceSource(),
    version: new StaticVersionSource(),
    metrics: new Metrics(),
    log: pino({ level: 'silent' }),
    inFlight,
  });
  const request = (name: string, uid: string) => {
    const object = pod();
    object.metadata.name = name;
    object.spec.containers[0].name = name;
    const decoded = decodeBody(Buffer.from(JSON.stringify(review(object, { uid }))));
    assert.ok(decoded.ok);
    return decoded.value;
  };

  it('with other requests in flight, each gets its own answer, after the turn, in order', async () => {
    const inFlight = { count: 3 };
    const reviewOne = admission(deps(inFlight));
    const answers: AdmissionReviewResponse[] = [];
    for (const name of ['alpha', 'beta', 'gamma']) reviewOne(request(name, `uid-${name}`), (r) => answers.push(r), never);
    assert.equal(answers.length, 0, 'deferred to the check phase');
    await nextTurn();
    assert.deepEqual(
      answers.map((a) => a.response.uid),
      ['uid-alpha', 'uid-beta', 'uid-gamma'],
    );
    for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
      const paths = decodePatch(answers[i].response as { patch?: string }).map((op: { path: string }) => op.path);
      assert.ok(paths.includes('/spec/containers/0/lifecycle'), `${name} got its own preStop`);
      assert.match(String(answers[i].response.auditAnnotations?.changes), new RegExp(`preStop:${name}`));
    }
  });

  it('alone, it is answered before review returns', () => {
    const reviewOne = admission(deps({ count: 1 }));
    let answer: AdmissionReviewResponse | undefined;
    reviewOne(request('solo', 'uid-solo'), (r) => (answer = r), never);
    assert.equal(answer?.response.uid, 'uid-solo');
  });

  it('an answer that waits for a Namespace read, in a batch, is written once the read settles', async () => {
    const d = deps({ count: 2 });
    const namespaces = d.namespaces as MemoryNamespaceSource;
    let release: (() => void) | undefined;
    namespaces.lookup = (name) =>
      new Promise((resolve) => {
        release = () => resolve({ labels: {}, annotations: { 'gracekeeper.io/pre-stop-sleep': '7s', seen: name } });
      });
    const reviewOne = admission(d);
    const answers: AdmissionReviewResponse[] = [];
    reviewOne(request('waits', 'uid-waits'), (r) => answers.push(r), never);
    await nextTurn();
    assert.equal(answers.length, 0, 'the batch ran; the answer waits for the read');
    assert.ok(release, 'the Namespace was looked up');
    release();
    await nextTurn();
    assert.equal(answers.length, 1);
    assert.equal(answers[0]?.response.uid, 'uid-waits');
    const hook = decodePatch(answers[0]?.response as { patch?: string }).find(
      (op: { path: string }) => op.path === '/spec/containers/0/lifecycle',
    );
    assert.deepEqual(hook?.value, { preStop: { sleep: { seconds: 7 } } }, "the Namespace's setting, read late, applied");
  });

  it('a large review (alone) is answered at once even with others in flight', () => {
    const reviewOne = admission(deps({ count: 5 }));
    let answer: AdmissionReviewResponse | undefined;
    reviewOne(request('large', 'uid-large'), (r) => (answer = r), never, true);
    assert.equal(answer?.response.uid, 'uid-large');
  });

  it('an engine that throws admits that one unchanged, and the rest of the batch is answered', async () => {
    const engine: typeof admit = (input) => {
      if ((input.object as { metadata: { name: string } }).metadata.name === 'bad') throw new Error('engine bug');
      return admit(input);
    };
    const reviewOne = admission(deps({ count: 2 }, engine));
    const answers: AdmissionReviewResponse[] = [];
    reviewOne(request('bad', 'uid-bad'), (r) => answers.push(r), never);
    reviewOne(request('good', 'uid-good'), (r) => answers.push(r), never);
    await nextTurn();
    assert.deepEqual(
      answers.map((a) => a.response.uid),
      ['uid-bad', 'uid-good'],
    );
    assert.equal(answers[0].response.patch, undefined);
    assert.equal(answers[0].response.allowed, true);
    assert.ok(answers[1].response.patch);
  });
});
