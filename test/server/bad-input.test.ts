// Bad input: whatever arrives, the server answers (400, 405, 408, 413, 415) and keeps serving.
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../../src/http/routes.js';
import { deployment, pod } from './fixtures.js';
import { call, getMetrics, metricValue, review, startTestServer, type TestServer } from './helpers.js';

function expectStatus(reply: { status: number; json: any }, code: number, pattern: RegExp) {
  assert.equal(reply.status, code);
  assert.equal(reply.json?.kind, 'Status', 'a JSON Status body');
  assert.equal(reply.json.code, code);
  assert.match(reply.json.message, pattern);
}

/** Sends raw bytes over TLS and resolves with everything the server sent until it closed (or the deadline). */
function rawExchange(
  server: TestServer,
  bytes: string,
  deadlineMs: number,
): Promise<{ text: string; closed: boolean; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: server.ca }, () => {
      socket.write(bytes);
    });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, ms: Date.now() - started });
    }, deadlineMs);
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err as Error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - started });
    });
  });
}

describe('malformed requests to /mutate', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ timeouts: { requestTimeoutMs: 600, handshakeTimeoutMs: 600 } });
  });
  after(() => server.stop());

  it('not JSON: 400 with a JSON reason', async () => {
    expectStatus(
      await call(server, { raw: '{"apiVersion": ', headers: { 'content-type': 'application/json' } }),
      400,
      /not valid JSON/,
    );
    expectStatus(await call(server, { raw: 'hello', headers: { 'content-type': 'application/json' } }), 400, /not valid JSON/);
  });

  it('JSON that is not an AdmissionReview object: 400', async () => {
    for (const body of [[], 'text', 42, null])
      expectStatus(await call(server, { body }), 400, /expected an AdmissionReview object/);
  });

  it('wrong apiVersion or kind: 400 naming the field', async () => {
    const v1beta1 = { ...review(pod()), apiVersion: 'admission.k8s.io/v1beta1' };
    expectStatus(
      await call(server, { body: v1beta1 }),
      400,
      /apiVersion: expected "admission.k8s.io\/v1", got "admission.k8s.io\/v1beta1"/,
    );
    expectStatus(await call(server, { body: { ...review(pod()), kind: 'Pod' } }), 400, /kind: expected "AdmissionReview"/);
  });

  it('missing request, uid, kind, operation or object: 400 naming the field', async () => {
    const cases: Array<[(r: any) => void, RegExp]> = [
      [(r) => delete r.request, /request: expected an object/],
      [(r) => delete r.request.uid, /request\.uid/],
      [
        (r) => {
          r.request.uid = '';
        },
        /request\.uid/,
      ],
      [
        (r) => {
          r.request.kind = 'Pod';
        },
        /request\.kind/,
      ],
      [
        (r) => {
          r.request.operation = 'PATCH';
        },
        /request\.operation/,
      ],
      [(r) => delete r.request.object, /request\.object: expected an object for CREATE/],
      [
        (r) => {
          r.request.object = 'x';
        },
        /request\.object/,
      ],
      [
        (r) => {
          r.request.dryRun = 'yes';
        },
        /request\.dryRun/,
      ],
      [
        (r) => {
          r.request.namespace = 7;
        },
        /request\.namespace/,
      ],
    ];
    for (const [breakIt, pattern] of cases) {
      const body = review(pod());
      breakIt(body);
      expectStatus(await call(server, { body }), 400, pattern);
    }
  });

  it('an empty body: 400', async () => {
    expectStatus(await call(server, { raw: '', headers: { 'content-type': 'application/json' } }), 400, /AdmissionReview/);
  });

  it('wrong content type: 415', async () => {
    const text = JSON.stringify(review(pod()));
    expectStatus(await call(server, { raw: text, headers: { 'content-type': 'text/plain' } }), 415, /application\/json/);
    expectStatus(await call(server, { raw: text, headers: { 'content-type': 'application/yaml' } }), 415, /application\/json/);
    expectStatus(
      await call(server, { raw: text, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }),
      415,
      /encoding/,
    );
  });

  it('over 7 MiB: 413, with or without Content-Length; 7 MiB itself is read', async () => {
    const big = review(deployment());
    big.request.object.metadata.annotations = { pad: 'x'.repeat(MAX_BODY_BYTES) };
    expectStatus(await call(server, { body: big }), 413, /larger than/);
    // Chunked (no Content-Length): the limit applies while reading.
    expectStatus(await call(server, { body: big, chunked: true }), 413, /larger than/);
    const fits = review(deployment());
    const overhead = JSON.stringify(fits).length + JSON.stringify({ pad: '' }).length + 1;
    fits.request.object.metadata.annotations = { pad: 'x'.repeat(MAX_BODY_BYTES - overhead) };
    const reply = await call(server, { body: fits });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.response.allowed, true);
  });

  it('other methods and paths: 405 and 404', async () => {
    const get = await call(server, { method: 'GET' });
    expectStatus(get, 405, /POST/);
    assert.equal(get.headers.allow, 'POST');
    expectStatus(await call(server, { method: 'POST', path: '/validate', body: review(pod()) }), 404, /no such path/);
  });

  it('a client that sends headers and stalls is answered 408 and closed, not waited for', async () => {
    const head =
      'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiV';
    const result = await rawExchange(server, head, 5000);
    assert.equal(result.closed, true, 'the server closed the connection');
    assert.match(result.text, /^HTTP\/1\.1 408/);
    assert.ok(result.ms < 4000, `closed after ${result.ms} ms`);
  });

  it('a client that stalls within the headers is answered 408 and closed', async () => {
    const result = await rawExchange(server, 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Ty', 5000);
    assert.equal(result.closed, true);
    assert.match(result.text, /^HTTP\/1\.1 408/);
  });

  it('a client that never starts the TLS handshake is disconnected', async () => {
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const socket = netConnect({ host: '127.0.0.1', port: server.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('still open after 5 s'));
      }, 5000);
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    assert.ok(Date.now() - started < 4000);
  });

  it('counts each bad request by its status, and still serves good ones afterwards', async () => {
    const count = async (code: number) => metricValue(await getMetrics(server), `gracekeeper_bad_requests_total{code="${code}"}`);
    const before = { 400: await count(400), 413: await count(413), 415: await count(415) };
    await call(server, { raw: 'hello', headers: { 'content-type': 'application/json' } });
    await call(server, { raw: '{}', headers: { 'content-type': 'text/plain' } });
    await call(server, { raw: 'x'.repeat(MAX_BODY_BYTES + 1), headers: { 'content-type': 'application/json' } });
    assert.equal(await count(400), before[400] + 1, 'one 400');
    assert.equal(await count(415), before[415] + 1, 'one 415');
    assert.equal(await count(413), before[413] + 1, 'one 413');
    const reply = await call(server, { body: review(pod()) });
    assert.equal(reply.json.response.allowed, true);
    assert.ok(reply.json.response.patch);
  });
});
