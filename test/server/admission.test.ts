// Round trips over real TLS: AdmissionReviews of every kind and operation, answered as the API
// server expects, the patch giving exactly what `gracekeeper mutate` prints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'node:https';
import fastJsonPatch from 'fast-json-patch';
import { runMutate } from '../../src/cli/mutate.js';
import { INTERNAL_ERROR_WARNING } from '../../src/http/review-codec.js';
import { allKinds, deployment, pod } from './fixtures.js';
import { call, decodePatch, getMetrics, metricValue, review, startTestServer, type TestServer } from './helpers.js';

const apply = (object: unknown, patch: any[]): any =>
  fastJsonPatch.applyPatch(structuredClone(object), patch, true, false).newDocument;

/** What `gracekeeper mutate -o json` prints for one object. */
function mutateCli(object: unknown, extra: string[] = []): { status: number; out: unknown; err: string } {
  let out = '';
  let err = '';
  const status = runMutate(['-f', '-', '-o', 'json', ...extra], {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: () => JSON.stringify(object),
  });
  return { status, out: out ? JSON.parse(out) : undefined, err };
}

describe('POST /mutate round trips over TLS', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  for (const object of allKinds()) {
    it(`${object.kind}: CREATE gives a patch equal to gracekeeper mutate`, async () => {
      const body = review(object);
      const reply = await call(server, { body });
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers['content-type']), /^application\/json/);
      const { apiVersion, kind, response } = reply.json;
      assert.equal(apiVersion, 'admission.k8s.io/v1');
      assert.equal(kind, 'AdmissionReview');
      assert.equal(response.uid, body.request.uid);
      assert.equal(response.allowed, true);
      assert.equal(response.patchType, 'JSONPatch');
      const mutated = apply(object, decodePatch(response));
      const cli = mutateCli(object);
      assert.equal(cli.status, 0, cli.err);
      assert.deepEqual(mutated, cli.out);
      assert.match(response.auditAnnotations.changes, /preStop:app/);
      // Idempotent: the mutated object again gives no patch.
      const again = await call(server, { body: review(mutated) });
      assert.equal(again.json.response.allowed, true);
      assert.equal(again.json.response.patch, undefined);
      assert.equal(again.json.response.patchType, undefined);
    });
  }

  it('dry-run gets the same patch as a real request', async () => {
    const object = deployment();
    const real = await call(server, { body: review(object) });
    const dry = await call(server, { body: review(object, { dryRun: true, uid: 'dry-run-uid' }) });
    assert.ok(real.json.response.patch);
    assert.equal(dry.json.response.patch, real.json.response.patch);
    const lines = server.logs.lines.filter((l) => l.msg === 'admission' && l.uid === 'dry-run-uid');
    assert.equal(lines.length, 1, 'one log line for this review');
    assert.equal(lines[0]?.dryRun, true, 'the dry-run is logged as one');
  });

  it('UPDATE of a workload: a changed annotation changes what was injected', async () => {
    const created = apply(deployment(), decodePatch((await call(server, { body: review(deployment()) })).json.response));
    const edited = structuredClone(created);
    edited.spec.template.metadata.annotations['gracekeeper.io/pre-stop-sleep'] = '12s';
    const reply = await call(server, { body: review(edited, { operation: 'UPDATE', oldObject: created }) });
    assert.equal(reply.json.response.allowed, true);
    const updated = apply(edited, decodePatch(reply.json.response));
    assert.deepEqual(updated.spec.template.spec.containers[0].lifecycle.preStop, { sleep: { seconds: 12 } });
    assert.ok(updated.spec.template.spec.terminationGracePeriodSeconds > 12);
  });

  it('UPDATE of a Pod, DELETE, CONNECT and subresources are allowed without a patch', async () => {
    const cases = [
      review(pod(), { operation: 'UPDATE' }),
      review(deployment(), { operation: 'DELETE' }),
      review(pod(), { operation: 'CONNECT' }),
      review(deployment(), { operation: 'UPDATE', subResource: 'status' }),
    ];
    for (const body of cases) {
      const reply = await call(server, { body });
      assert.equal(reply.status, 200);
      assert.equal(reply.json.response.uid, body.request.uid);
      assert.equal(reply.json.response.allowed, true);
      assert.equal(reply.json.response.patch, undefined, `${body.request.operation} ${body.request.subResource ?? ''}`);
    }
  });

  it('kinds it does not handle, excluded and own namespaces: no patch', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { a: 'b' } };
    for (const body of [
      review(configMap),
      review(pod(), { namespace: 'kube-system' }),
      review(deployment(), { namespace: 'gracekeeper' }),
    ]) {
      const reply = await call(server, { body });
      assert.equal(reply.json.response.allowed, true);
      assert.equal(reply.json.response.patch, undefined);
    }
  });

  it('opt-out by annotation or label: allowed, no patch', async () => {
    const byAnnotation = pod({ 'gracekeeper.io/inject': 'false' });
    const byLabel = deployment();
    byLabel.spec.template.metadata.labels['gracekeeper.io/inject'] = 'disabled';
    for (const object of [byAnnotation, byLabel]) {
      const reply = await call(server, { body: review(object) });
      assert.equal(reply.json.response.allowed, true);
      assert.equal(reply.json.response.patch, undefined);
    }
  });

  it('an invalid annotation on a workload is denied with a 400 status naming the key', async () => {
    const before = await getMetrics(server);
    const body = review(deployment({ 'gracekeeper.io/pre-stop-sleep': 'forever' }));
    const reply = await call(server, { body });
    assert.equal(reply.status, 200);
    const { response } = reply.json;
    assert.equal(response.allowed, false);
    assert.equal(response.patch, undefined);
    assert.equal(response.status.code, 400);
    assert.match(response.status.message, /pre-stop-sleep/);
    assert.match(response.status.message, /forever/);
    const metrics = await getMetrics(server);
    const sample = 'gracekeeper_invalid_annotations_total{kind="Deployment"}';
    assert.equal(metricValue(metrics, sample) - metricValue(before, sample), 1);
    const denied = 'gracekeeper_admissions_total{kind="Deployment",operation="CREATE",result="denied"}';
    assert.equal(metricValue(metrics, denied) - metricValue(before, denied), 1);
    // The log line says it was denied, without the message (it quotes annotation values).
    const line = server.logs.lines.find((l) => l.uid === body.request.uid);
    assert.equal(line?.outcome, 'denied');
    assert.ok(!JSON.stringify(line).includes('forever'));
  });

  it('warnings come back: an invalid value on a Pod is ignored, an unknown key gets a suggestion', async () => {
    const reply = await call(server, {
      body: review(pod({ 'gracekeeper.io/pre-stop-sleep': 'x', 'gracekeeper.io/pre-stop-slep': '3' })),
    });
    const { response } = reply.json;
    assert.equal(response.allowed, true);
    assert.ok(response.patch);
    assert.ok(
      response.warnings.some((w: string) => w.includes('pre-stop-sleep')),
      response.warnings.join('\n'),
    );
    assert.ok(
      response.warnings.some((w: string) => w.includes('pre-stop-slep')),
      response.warnings.join('\n'),
    );
    for (const w of response.warnings) assert.ok(w.length <= 120, w);
    const mutated = apply(pod(), decodePatch(response));
    assert.deepEqual(mutated.spec.containers[0].lifecycle.preStop, { sleep: { seconds: 5 } });
  });

  it('namespace annotations come from the namespace source, and go when it forgets the namespace', async () => {
    server.namespacesSource.set('shop', { 'gracekeeper.io/pre-stop-sleep': '9', other: 'x' });
    try {
      const reply = await call(server, { body: review(pod()) });
      const mutated = apply(pod(), decodePatch(reply.json.response));
      assert.deepEqual(mutated.spec.containers[0].lifecycle.preStop, { sleep: { seconds: 9 } });
      const cli = mutateCli(pod(), ['--namespace-annotation', 'pre-stop-sleep=9']);
      assert.deepEqual(mutated, cli.out);
    } finally {
      server.namespacesSource.delete('shop');
    }
    const reply = await call(server, { body: review(pod()) });
    const mutated = apply(pod(), decodePatch(reply.json.response));
    assert.deepEqual(mutated.spec.containers[0].lifecycle.preStop, { sleep: { seconds: 5 } });
  });

  it('a namespace not in the cache yet is looked up once, over the edge, before answering', async () => {
    const asked: string[] = [];
    server.namespacesSource.lookup = async (name: string) => {
      asked.push(name);
      await new Promise((r) => setTimeout(r, 20));
      return name === 'shop' ? { labels: {}, annotations: { 'gracekeeper.io/pre-stop-sleep': '11' } } : undefined;
    };
    try {
      const reply = await call(server, { body: review(pod()) });
      const mutated = apply(pod(), decodePatch(reply.json.response));
      assert.deepEqual(mutated.spec.containers[0].lifecycle.preStop, { sleep: { seconds: 11 } });
      assert.deepEqual(asked, ['shop']);
      server.namespacesSource.set('shop', {});
      const cachedReply = await call(server, { body: review(pod()) });
      assert.deepEqual(apply(pod(), decodePatch(cachedReply.json.response)).spec.containers[0].lifecycle.preStop, {
        sleep: { seconds: 5 },
      });
      assert.deepEqual(asked, ['shop'], 'a cached namespace costs no lookup');
    } finally {
      delete server.namespacesSource.lookup;
      server.namespacesSource.delete('shop');
    }
  });

  it('the API server version from the version source decides pre-stop-mode auto', async () => {
    server.versionSource.version = { major: 1, minor: 29 };
    try {
      const reply = await call(server, { body: review(pod()) });
      const mutated = apply(pod(), decodePatch(reply.json.response));
      assert.deepEqual(mutated.spec.containers[0].lifecycle.preStop, { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } });
      assert.deepEqual(mutated, mutateCli(pod(), ['--kube-version', '1.29']).out);
    } finally {
      server.versionSource.version = undefined;
    }
  });

  it('one log line per admission with uid, kind, namespace, name, operation, changes and ms; never the object', async () => {
    const secret = pod();
    secret.spec.containers[0].env = [{ name: 'PASSWORD', value: 'hunter2-s3cr3t' }];
    const body = review(secret);
    await call(server, { body });
    const lines = server.logs.lines.filter((l) => l.uid === body.request.uid);
    assert.equal(lines.length, 1);
    const line = lines[0];
    assert.equal(line.msg, 'admission');
    assert.equal(line.kind, 'Pod');
    assert.equal(line.namespace, 'shop');
    assert.equal(line.name, 'web-1');
    assert.equal(line.operation, 'CREATE');
    assert.equal(line.outcome, 'mutated');
    assert.ok(Array.isArray(line.changes) && (line.changes as string[]).includes('preStop:app'));
    assert.equal(typeof line.ms, 'number');
    assert.ok(!server.logs.text.join('').includes('hunter2-s3cr3t'));
    assert.ok(!server.logs.text.join('').includes('example.com/app'));
  });

  it('keeps connections alive: many reviews over one connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: server.ca });
    try {
      const ports = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const reply = await call(server, { body: review(deployment()), agent });
        assert.equal(reply.status, 200);
        assert.notEqual(reply.headers.connection, 'close');
        ports.add(reply.localPort!);
      }
      assert.equal(ports.size, 1);
    } finally {
      agent.destroy();
    }
  });

  it('counts admissions and changes by type in the metrics', async () => {
    const before = await getMetrics(server);
    await call(server, { body: review(deployment()) });
    const text = await getMetrics(server);
    const mutated = 'gracekeeper_admissions_total{kind="Deployment",operation="CREATE",result="mutated"}';
    assert.equal(metricValue(text, mutated) - metricValue(before, mutated), 1);
    for (const type of ['preStop', 'readinessProbe']) {
      const sample = `gracekeeper_changes_total{type="${type}"}`;
      assert.equal(metricValue(text, sample) - metricValue(before, sample), 1, type);
    }
    assert.ok(metricValue(text, 'gracekeeper_admission_duration_seconds_count{result="mutated"}') >= 1);
    assert.ok(metricValue(text, 'gracekeeper_certificate_expiry_seconds') > 300 * 86400);
    assert.equal(metricValue(text, 'gracekeeper_namespace_informer_state{state="synced"}'), 1);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });
});

describe('an unexpected error in the engine', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      admit: () => {
        throw new TypeError('boom');
      },
    });
  });
  after(() => server.stop());

  it('admits unchanged with a warning, and is logged and counted', async () => {
    const body = review(deployment());
    const reply = await call(server, { body });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.response, { uid: body.request.uid, allowed: true, warnings: [INTERNAL_ERROR_WARNING] });
    const text = await getMetrics(server);
    assert.equal(metricValue(text, 'gracekeeper_internal_errors_total'), 1);
    assert.equal(metricValue(text, 'gracekeeper_admissions_total{kind="Deployment",operation="CREATE",result="error"}'), 1);
    const error = server.logs.lines.find((l) => l.level === 'error');
    assert.match(JSON.stringify(error), /boom/);
  });
});
