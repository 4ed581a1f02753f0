// The edge's bounds on work in flight (issue 24): a declared over-limit Content-Length gets 413 at
// once (it waited up to 30 s for the body), a review built to make the JSON parser work (2.4
// million `{}`) gets 413 before it is parsed, the memory budget refuses with 429 what cannot be
// taken together, and what the API server sends (a 7 MiB UPDATE review, normal concurrency) passes.
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Budget, countContainers, reviewCost } from '../../src/http/budget.js';
import { MAX_BODY_BYTES, MAX_JSON_CONTAINERS } from '../../src/http/mutate-route.js';
import { pod } from './fixtures.js';
import { heavyReview } from './heavy-review.js';
import { call, review, startTestServer, type TestServer } from './helpers.js';

const MiB = 1024 * 1024;

describe('what a body costs, and the budget', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    assert.equal(countContainers(Buffer.from('{"a":[1,{"b":"{[\\"[{"}],"c":{}}')), 4);
    assert.equal(countContainers(Buffer.from('[' + '{},'.repeat(99) + '{}]')), 101);
    assert.equal(countContainers(Buffer.from('[' + '[],'.repeat(1000) + '[]]'), 11), 12, 'stops past the bound');
  });

  it('a lone large review is always taken; a second that does not fit is refused; small ones have their lane', () => {
    const budget = new Budget({ largeBytes: 100, smallReview: 10, smallBytes: 30 });
    const lone = budget.reserve(500);
    assert.ok(lone, 'alone: taken whatever its size');
    assert.equal(budget.reserve(50), undefined, 'a second large one does not fit');
    const small = [budget.reserve(10), budget.reserve(10), budget.reserve(10)];
    assert.ok(small.every(Boolean), 'small ones pass beside it');
    assert.equal(budget.reserve(10), undefined, 'the small lane is bounded too');
    for (const one of small) one?.release();
    lone.release();
    lone.release();
    const a = budget.reserve(60);
    assert.ok(a);
    assert.equal(a.resize(120), true, 'alone it may grow');
    const b = budget.reserve(5);
    assert.ok(b);
    assert.equal(b.resize(50), false, 'growing into the large lane when full is refused');
    assert.equal(b.bytes, 5, 'and keeps what it held');
    assert.equal(budget.refused, 3);
    a.release();
    b.release();
    assert.deepEqual(budget.inFlight(), { large: 0, small: 0 });
  });

  it('the estimate of the densest review accepted fits the large lane alone', () => {
    assert.ok(reviewCost(MAX_BODY_BYTES, MAX_JSON_CONTAINERS) < 96 * MiB);
  });
});

describe('the edge under hostile bodies', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('a declared Content-Length over the limit: 413 at once, without the body', async () => {
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ port: server.port, host: '127.0.0.1', ca: server.ca, servername: 'localhost' }, () => {
        socket.write(
          `POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n{`,
        );
      });
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer: ${text}`)), 5000).unref();
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /larger than 7340032 bytes/);
    assert.ok(performance.now() - started < 2000, `${Math.round(performance.now() - started)} ms`);
  });

  it('2.4 million {} in a 7 MiB review: 413 before parsing, naming the bound', async () => {
    const body = heavyReview(2_400_000);
    assert.ok(body.length < MAX_BODY_BYTES);
    const reply = await call(server, { raw: body });
    assert.equal(reply.status, 413);
    assert.match(reply.json.message, /more than 500000 JSON objects and arrays/);
  });

  it('what the API server sends passes: a 7 MiB UPDATE review, 400,000 objects, and 8 reviews of 1 MiB at once', async () => {
    const old = pod();
    const big = { ...old, metadata: { ...old.metadata, annotations: { 'example.com/blob': 'b'.repeat(3 * MiB) } } };
    const update = JSON.stringify(review(big, { operation: 'UPDATE', oldObject: big } as never));
    assert.ok(update.length > 6 * MiB && update.length < MAX_BODY_BYTES, `${update.length}`);
    assert.equal((await call(server, { raw: update })).status, 200);
    assert.equal((await call(server, { raw: heavyReview(400_000) })).status, 200);
    const mib = { ...old, metadata: { ...old.metadata, annotations: { 'example.com/blob': 'b'.repeat(MiB) } } };
    const replies = await Promise.all(Array.from({ length: 8 }, () => call(server, { body: review(mib) })));
    assert.deepEqual(
      replies.map((r) => r.status),
      Array(8).fill(200),
    );
  });
});
