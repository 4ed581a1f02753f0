// Cluster settings from --config: used from the start, reloaded on change, a bad file keeps the
// last good settings; a bad file at start stops the start.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/runtime/settings-store.js';
import { startServer } from '../../src/runtime/start.js';
import { deployment, pod } from './fixtures.js';
import { call, getMetrics, metricValue, review, startTestServer, tempDir, type TestServer } from './helpers.js';
import { until, replaceFile } from './helpers.js';

describe('config file reload', () => {
  let server: TestServer;
  let file: string;
  const patched = async (object: unknown) => (await call(server, { body: review(object) })).json.response.patch !== undefined;

  before(async () => {
    file = join(tempDir(), 'config.yaml');
    replaceFile(file, 'targets: both\ndefaults:\n  pre-stop-sleep: 8s\n');
    server = await startTestServer({ configFile: file, ownNamespace: 'gk-system' });
  });
  after(() => server.stop());

  it('uses the file from the start, and the own namespace is never mutated', async () => {
    assert.equal(server.settings().defaults.preStopSleep, 8);
    const reply = await call(server, { body: review(pod()) });
    const preStop = JSON.parse(Buffer.from(reply.json.response.patch, 'base64').toString()).find((op: any) =>
      /lifecycle/.test(op.path),
    );
    assert.deepEqual(preStop.value, { preStop: { sleep: { seconds: 8 } } });
    assert.equal(server.settings().ownNamespace, 'gk-system');
    assert.equal(await patched({ ...pod(), metadata: { ...pod().metadata, namespace: 'gk-system' } }), false);
  });

  it('a changed file is taken up without a restart', async () => {
    assert.equal(await patched(pod()), true);
    replaceFile(file, 'targets: workloads\n');
    await until('the new settings', async () => !(await patched(pod())));
    assert.equal(await patched(deployment()), true);
    assert.equal(server.settings().defaults.preStopSleep, 'auto');
    assert.ok(server.logs.lines.some((l) => l.msg === 'cluster settings reloaded'));
  });

  it('a bad file keeps the last good settings and says why', async () => {
    replaceFile(file, 'targets: sometimes\nfoo: 1\n');
    await server.checkFiles();
    assert.equal(server.settings().targets, 'workloads');
    assert.equal(await patched(pod()), false);
    const line = server.logs.lines.find((l) => l.level === 'error' && Array.isArray(l.errors));
    assert.ok(line, 'an error line with the problems');
    assert.match((line.errors as string[]).join('\n'), /targets="sometimes"/);
    assert.match((line.errors as string[]).join('\n'), /unknown setting "foo"/);
    replaceFile(file, 'targets: [\n');
    await server.checkFiles();
    assert.equal(server.settings().targets, 'workloads');
    rmSync(file);
    await server.checkFiles();
    assert.equal(server.settings().targets, 'workloads');
    const unread = server.logs.lines.find((l) => l.level === 'warn' && /cannot read the config file/.test(String(l.msg)));
    assert.ok(unread, 'a warning that the file cannot be read');
    assert.deepEqual(
      { type: (unread.err as Record<string, unknown>).type, code: (unread.err as Record<string, unknown>).code },
      { type: 'Error', code: 'ENOENT' },
    );
    assert.match(String((unread.err as Record<string, unknown>).message), /ENOENT/);
    const text = await getMetrics(server);
    assert.ok(metricValue(text, 'gracekeeper_config_reloads_total{result="failure"}') >= 3);
    assert.ok(metricValue(text, 'gracekeeper_config_reloads_total{result="success"}') >= 1);
    replaceFile(file, 'targets: pods\n');
    await server.checkFiles();
    assert.equal(server.settings().targets, 'pods');
  });
});

describe('a bad config file at start', () => {
  it('stops the start with every problem named', async () => {
    const file = join(tempDir(), 'config.yaml');
    writeFileSync(file, 'targets: sometimes\nmaxTerminationGracePeriod: 1s\n');
    await assert.rejects(
      startServer({ port: 0, metricsPort: 0, host: '127.0.0.1', configFile: file, shutdownDelayMs: 0, shutdownTimeoutMs: 100 }),
      (err: Error) => err instanceof ConfigError && /targets/.test(err.message) && /maxTerminationGracePeriod/.test(err.message),
    );
    await assert.rejects(
      startServer({
        port: 0,
        metricsPort: 0,
        host: '127.0.0.1',
        configFile: join(tempDir(), 'missing.yaml'),
        shutdownDelayMs: 0,
        shutdownTimeoutMs: 100,
      }),
      ConfigError,
    );
  });
});
