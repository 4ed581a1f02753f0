// The fallback GET for a Namespace the informer has not delivered yet: one call per burst,
// bounded in time, failures forgotten so the next admission asks again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NamespaceLookup } from '../../src/cluster/namespace-lookup.js';

function reader(answer: (name: string) => Promise<unknown>) {
  const calls: string[] = [];
  return {
    calls,
    api: {
      readNamespace: ({ name }: { name: string }) => {
        calls.push(name);
        return answer(name);
      },
    } as never,
  };
}

test('one GET for a burst of admissions in a new namespace; the answer is its labels and annotations', async () => {
  const { calls, api } = reader((name) =>
    Promise.resolve({ metadata: { name, labels: { team: 'a' }, annotations: { 'gracekeeper.io/pre-stop-sleep': '9' } } }),
  );
  const lookup = new NamespaceLookup(api);
  const answers = await Promise.all([lookup.get('new'), lookup.get('new'), lookup.get('new')]);
  assert.deepEqual(answers, Array(3).fill({ labels: { team: 'a' }, annotations: { 'gracekeeper.io/pre-stop-sleep': '9' } }));
  assert.deepEqual(calls, ['new']);
});

test('remembered for the TTL only', async () => {
  let clock = 0;
  const { calls, api } = reader(() => Promise.resolve({ metadata: {} }));
  const lookup = new NamespaceLookup(api, { ttlMs: 100, now: () => clock });
  assert.deepEqual(await lookup.get('a'), { labels: {}, annotations: {} });
  clock = 50;
  await lookup.get('a');
  clock = 150;
  await lookup.get('a');
  assert.equal(calls.length, 2);
});

test('a slow API server does not hold the admission past the timeout; failures are not remembered', async () => {
  const { calls, api } = reader((name) => (name === 'slow' ? new Promise(() => {}) : Promise.reject(new Error('403'))));
  const lookup = new NamespaceLookup(api, { timeoutMs: 50 });
  const started = Date.now();
  assert.equal(await lookup.get('slow'), undefined);
  assert.ok(Date.now() - started < 1000);
  assert.equal(await lookup.get('denied'), undefined);
  assert.equal(await lookup.get('denied'), undefined);
  assert.deepEqual(calls, ['slow', 'denied', 'denied']);
});
