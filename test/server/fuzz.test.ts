// Fuzzing /mutate with generated bodies (fast-check): never a crash, never a 5xx, always answered;
// an answer to a review echoes its uid, and any patch applies cleanly to the object sent.
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { allKinds } from './fixtures.js';
import { call, decodePatch, getMetrics, metricValue, review, startTestServer, type TestServer } from './helpers.js';

const PATHS: Array<Array<string | number>> = [
  [],
  ['metadata'],
  ['metadata', 'annotations'],
  ['metadata', 'labels'],
  ['metadata', 'annotations', 'gracekeeper.io/pre-stop-sleep'],
  ['metadata', 'annotations', 'gracekeeper.io/injected'],
  ['spec'],
  ['spec', 'containers'],
  ['spec', 'containers', 0],
  ['spec', 'containers', 0, 'ports'],
  ['spec', 'containers', 0, 'ports', 0, 'containerPort'],
  ['spec', 'containers', 0, 'lifecycle'],
  ['spec', 'containers', 0, 'name'],
  ['spec', 'terminationGracePeriodSeconds'],
  ['spec', 'initContainers'],
  ['spec', 'template'],
  ['spec', 'template', 'metadata'],
  ['spec', 'template', 'metadata', 'annotations'],
  ['spec', 'template', 'metadata', 'annotations', 'gracekeeper.io/injected'],
  ['spec', 'template', 'metadata', 'annotations', 'gracekeeper.io/readiness-port'],
  ['spec', 'template', 'spec'],
  ['spec', 'template', 'spec', 'containers'],
  ['spec', 'template', 'spec', 'containers', 0],
  ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe'],
  ['spec', 'template', 'spec', 'containers', 0, 'ports'],
  ['spec', 'minReadySeconds'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
];

const annotationValue = fc.oneof(
  fc.constantFrom('5', '0', '3600s', '1h', '-1', 'http', 'tcp', 'none', 'auto', 'exec', '/healthz', 'HTTPS', 'app,sidecar', ''),
  fc.string({ maxLength: 20 }),
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  annotationValue,
  fc.dictionary(
    fc.constantFrom(
      'gracekeeper.io/pre-stop-sleep',
      'gracekeeper.io/readiness',
      'gracekeeper.io/injected',
      'gracekeeper.io/containers',
      'gracekeeper.io/termination-grace-period',
      'gracekeeper.io/inject',
    ),
    annotationValue,
  ),
);

function setPath(object: any, path: Array<string | number>, v: unknown): any {
  if (path.length === 0) return v;
  let node = object;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return object;
    node = node[key];
  }
  if (typeof node === 'object' && node !== null) node[path[path.length - 1]] = v;
  return object;
}

const damagedObject = fc
  .tuple(fc.constantFrom(...allKinds()), fc.array(fc.tuple(fc.constantFrom(...PATHS), value), { maxLength: 3 }))
  .map(([object, edits]) => edits.reduce((o, [path, v]) => setPath(o, path, structuredClone(v)), structuredClone(object)));

const reviewBody = fc
  .tuple(
    damagedObject,
    fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
    fc.boolean(),
    fc.array(
      fc.tuple(
        fc.constantFrom('apiVersion', 'kind', 'request', 'uid', 'kind.kind', 'operation', 'namespace', 'dryRun'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      { maxLength: 1 },
    ),
  )
  .map(([object, operation, dryRun, breaks]) => {
    const body = review(
      object && typeof object === 'object' && 'apiVersion' in object ? object : { apiVersion: 'v1', kind: 'Pod' },
      { operation: operation as 'CREATE', dryRun },
    );
    body.request.object = operation === 'DELETE' ? null : object;
    for (const [field, v] of breaks) {
      if (field === 'apiVersion' || field === 'kind' || field === 'request') body[field] = v;
      else if (field === 'kind.kind') body.request.kind.kind = v;
      else body.request[field] = v;
    }
    return body;
  });

describe('fuzzing POST /mutate', () => {
  let server: TestServer;
  let agent: Agent;
  before(async () => {
    server = await startTestServer();
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
  });
  after(async () => {
    agent.destroy();
    await server.stop();
  });

  it('generated text and JSON bodies: always a 4xx or 200 answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })), async (raw) => {
        const reply = await call(server, { raw, headers: { 'content-type': 'application/json' }, agent });
        assert.ok(reply.status === 200 || (reply.status >= 400 && reply.status < 500), `${reply.status} ${reply.text}`);
        if (reply.status >= 400) assert.equal(reply.json?.kind, 'Status');
      }),
      { numRuns: 150 },
    );
  });

  it('generated AdmissionReviews with damaged objects: answered, uid echoed, patches apply', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(reviewBody, async (body) => {
        const reply = await call(server, { body, agent });
        assert.ok(reply.status === 200 || reply.status === 400, `${reply.status} ${reply.text}`);
        if (reply.status !== 200) return;
        answered++;
        const { response } = reply.json;
        assert.equal(response.uid, body.request.uid);
        assert.equal(typeof response.allowed, 'boolean');
        if (response.patch) {
          assert.equal(response.patchType, 'JSONPatch');
          const patch = decodePatch(response);
          assert.ok(patch.length > 0);
          fastJsonPatch.applyPatch(structuredClone(body.request.object), patch, true, false);
        }
        for (const w of response.warnings ?? []) assert.ok(typeof w === 'string' && w.length <= 120);
      }),
      { numRuns: 300 },
    );
    assert.ok(answered > 100, `only ${answered} reviews were well-formed enough to answer`);
    const text = await getMetrics(server);
    const errors = metricValue(text, 'gracekeeper_internal_errors_total');
    if (errors > 0) {
      const lines = server.logs.lines.filter((l) => l.level === 'error').slice(0, 3);
      assert.fail(`the engine threw on ${errors} generated objects, e.g. ${JSON.stringify(lines)}`);
    }
  });
});
