// The webhook on hostile objects, over HTTPS: a 1 MiB annotation value makes a short denial or
// short warnings (and a short log line), and a Pod nested 5,000 or 100,000 levels deep (in its
// spec, or inside a container's own hook) is answered at once: no crash, no hang, still serving.
// What goes into the log line is bounded too: a request's kind, namespace and subresource (400
// past 253 characters: no API server sends such), and the change tags of a Pod with 5,000 containers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deployment, pod } from './fixtures.js';
import { call, decodePatch, review, startTestServer, type TestServer } from './helpers.js';

const MiB = 1024 * 1024;

/** An AdmissionReview of `object` as JSON text, with the text `deep` in place of the string "DEEP". */
function reviewText(object: unknown, deep: string): string {
  return JSON.stringify(review(object)).replace('"DEEP"', deep);
}

const nested = (levels: number) => '{"x":'.repeat(levels) + '{}' + '}'.repeat(levels);

describe('hostile objects sent to the webhook', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const longestLogLine = () => Math.max(...server.logs.text.map((t) => t.length));

  it('a 1 MiB annotation value: a denial under 1 KiB quoting 64 characters of it; a Pod gets short warnings', async () => {
    const value = 'x'.repeat(MiB);
    const denied = await call(server, { body: review(deployment({ 'gracekeeper.io/pre-stop-sleep': value })) });
    assert.equal(denied.status, 200);
    assert.equal(denied.json.response.allowed, false);
    const message = denied.json.response.status.message as string;
    assert.ok(message.length < 1024, `a denial of ${message.length} characters`);
    assert.ok(message.includes(`"${'x'.repeat(64)}"... (${MiB} characters)`), message);
    assert.ok(denied.text.length < 2048, `an answer of ${denied.text.length} bytes`);

    const warned = await call(server, { body: review(pod({ 'gracekeeper.io/drain-timeout': value })) });
    assert.equal(warned.json.response.allowed, true);
    const warnings = warned.json.response.warnings as string[];
    assert.ok(warnings.length > 0 && warnings.every((w) => w.length < 120));
    assert.ok(warned.text.length < 4096, `an answer of ${warned.text.length} bytes`);
    assert.ok(longestLogLine() < 2048, `log lines stay short (${longestLogLine()})`);
  });

  for (const levels of [5000, 100_000]) {
    it(`a Pod with ${levels} levels of nesting in its spec: mutated as any other, at once`, async () => {
      const object = { ...pod(), spec: { ...pod().spec, nested: 'DEEP' } };
      const t0 = Date.now();
      const reply = await call(server, { raw: reviewText(object, nested(levels)) });
      assert.equal(reply.status, 200);
      assert.equal(reply.json.response.allowed, true);
      assert.ok(decodePatch(reply.json.response).some((op) => op.path === '/spec/containers/0/lifecycle'));
      assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
    });
  }

  it('log lines stay short: 400 for a 1 MiB kind, namespace or subresource; 20 change tags of 10,001', async () => {
    const big = 'k'.repeat(MiB);
    const cases: [string, (r: any) => void][] = [
      ['request.kind', (r) => (r.request.kind.kind = big)],
      ['request.kind', (r) => (r.request.kind.group = big)],
      ['request.namespace', (r) => (r.request.namespace = big)],
      ['request.subResource', (r) => (r.request.subResource = big)],
    ];
    for (const [field, breakIt] of cases) {
      const body = review(pod());
      breakIt(body);
      const reply = await call(server, { body });
      assert.equal(reply.status, 400, field);
      assert.equal(
        reply.json.message,
        `not a valid AdmissionReview: ${field}: ${field === 'request.kind' ? 'a part longer' : 'longer'} than 253 characters`,
      );
    }
    const many = pod();
    // readiness-port: a probe on every container (without it, only on the main one).
    many.metadata.annotations = { ...many.metadata.annotations, 'gracekeeper.io/readiness-port': '80' };
    many.spec.containers = Array.from({ length: 5000 }, (_, i) => ({
      name: `c${i}`,
      image: 'i',
      ports: [{ containerPort: 80 }],
    }));
    // Below the API server's default of 30, so that the grace period is raised too.
    many.spec.terminationGracePeriodSeconds = 10;
    const reply = await call(server, { body: review(many), timeoutMs: 30_000 });
    assert.equal(reply.status, 200);
    const line = server.logs.lines.at(-1) as Record<string, unknown>;
    assert.equal(line.msg, 'admission');
    assert.equal((line.changes as string[]).length, 20);
    assert.equal(line.changeCount, 10_001, 'a preStop and a probe each, and the grace period');
    assert.ok(longestLogLine() < 2048, `log lines stay short (${longestLogLine()})`);
  });

  it("nesting 10,000 levels deep inside a container's own preStop hook: admitted unchanged, still serving", async () => {
    const object = pod();
    object.spec.containers[0].lifecycle = { preStop: { exec: { command: ['true'] }, deep: 'DEEP' } };
    const reply = await call(server, { raw: reviewText(object, nested(10_000)) });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.response.allowed, true);
    const after = await call(server, { body: review(pod()) });
    assert.equal(after.status, 200, 'the next admission is served');
    assert.ok(decodePatch(after.json.response).length > 0);
    assert.ok(longestLogLine() < 8192, `log lines stay short (${longestLogLine()})`);
  });
});
