// The real Namespace informer and version reader (@kubernetes/client-node) against a fake API
// server: readiness waits for the first sync, annotations follow watch events, deleted namespaces
// are forgotten, errors are retried with backoff.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { KubeConfig } from '@kubernetes/client-node';
import { backoffDelay } from '../../src/cluster/backoff.js';
import { InformerNamespaceSource } from '../../src/cluster/namespace-informer.js';
import { LIST_PAGE_SIZE } from '../../src/cluster/trimmed-informer.js';
import { pod } from './fixtures.js';
import { FakeApiServer } from './fake-apiserver.js';
import { call, decodePatch, getMetrics, metricValue, review, startTestServer, tempDir, type TestServer } from './helpers.js';
import { until } from './helpers.js';

describe('namespace informer against an API server', () => {
  let api: FakeApiServer;
  let server: TestServer;
  const preStopOf = async (namespace = 'shop') => {
    const object = { ...pod(), metadata: { ...pod().metadata, namespace } };
    const reply = await call(server, { body: review(object) });
    const op = decodePatch(reply.json.response).find((o) => /lifecycle/.test(o.path));
    return op?.value.preStop;
  };
  const readyz = async () => (await call(server, { method: 'GET', path: '/readyz' })).status;

  before(async () => {
    api = new FakeApiServer();
    await api.start();
    api.set('shop', { 'gracekeeper.io/pre-stop-sleep': '7', team: 'a' });
    api.set('plain', {});
    api.failLists = 1;
    api.failVersions = 2;
    api.version = { major: '1', minor: '29+', gitVersion: 'v1.29.3-gke.1' };
    server = await startTestServer({
      kubeconfig: api.kubeconfig(tempDir()),
      cluster: undefined,
      kube: { backoffInitialMs: 100, versionRefreshMs: 300 },
    });
  });
  after(async () => {
    await server?.stop();
    await api.stop();
  });

  it('/readyz fails until the first list and the version read succeed, then passes', async () => {
    const first = await call(server, { method: 'GET', path: '/readyz' });
    assert.equal(first.status, 503);
    assert.match(first.text, /not ready: (namespace cache not synced|API server version not known) yet/);
    await until('ready', async () => (await readyz()) === 200);
    assert.ok(api.lists >= 2, 'the failed list was retried');
    assert.equal(api.failVersions, 0, 'the failed version reads were retried');
    const watchFailed = server.logs.lines.find((l) => l.msg === 'watch failed; retrying' && l.resource === 'namespaces');
    assert.ok(watchFailed, 'the failed list is logged');
    // The error as pino's { err } renders it: its type, message, stack and status, never the response's body or headers.
    const err = watchFailed.err as Record<string, unknown>;
    assert.equal(err.type, 'ApiException');
    assert.equal(err.code, 500);
    assert.match(String(err.message), /etcd is sad/);
    assert.match(String(err.stack), /^Error: HTTP-Code: 500\n[^]*\n\s+at /);
    assert.equal(err.body, undefined);
    assert.equal(err.headers, undefined);
    const versionFailed = server.logs.lines.find((l) => l.msg === 'could not read the API server version');
    assert.ok(versionFailed, 'the failed version read is logged');
    assert.equal(typeof (versionFailed.err as Record<string, unknown>).message, 'string');
  });

  it('gives namespace annotations from the cache, and the version for pre-stop-mode auto', async () => {
    const lists = api.lists;
    assert.deepEqual(await preStopOf('shop'), { exec: { command: ['/bin/sh', '-c', 'sleep 7'] } });
    assert.deepEqual(await preStopOf('plain'), { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } });
    assert.equal(api.lists, lists, 'no API call per admission');
  });

  it('follows watch events: a changed namespace, a deleted one', async () => {
    api.set('shop', { 'gracekeeper.io/pre-stop-sleep': '11' });
    await until('the change', async () => JSON.stringify(await preStopOf('shop')).includes('sleep 11'));
    api.delete('shop');
    await until('the deletion', async () => JSON.stringify(await preStopOf('shop')).includes('sleep 5'));
  });

  it('a dropped watch is restarted; a namespace deleted meanwhile is evicted by the re-list after 410 Gone', async () => {
    api.set('gone', { 'gracekeeper.io/pre-stop-sleep': '13' });
    await until('the new namespace', async () => JSON.stringify(await preStopOf('gone')).includes('sleep 13'));
    const watches = api.watches;
    api.dropWatches();
    await until('a new watch', () => api.watches > watches);
    assert.equal(await readyz(), 200, 'still ready with a stale cache');
    api.delete('gone', false); // missed by the watch
    const lists = api.lists;
    api.expireWatches();
    await until('a re-list', () => api.lists > lists);
    await until('the eviction', async () => JSON.stringify(await preStopOf('gone')).includes('sleep 5'));
    assert.ok(
      server.logs.lines.some(
        (l) =>
          l.msg === 'watch expired (410 Gone): re-listed' && l.resource === 'namespaces' && l.objects === api.namespaces.size,
      ),
    );
  });

  it('reports the informer in the metrics', async () => {
    await until(
      'synced state',
      async () => metricValue(await getMetrics(server), 'gracekeeper_namespace_informer_state{state="synced"}') === 1,
    );
    const text = await getMetrics(server);
    assert.equal(metricValue(text, 'gracekeeper_namespace_informer_state{state="error"}'), 0);
    assert.equal(metricValue(text, 'gracekeeper_namespace_cache_size'), api.namespaces.size);
    // One restart per failure the informer logged (the failed first list, the expired watches).
    const failures = server.logs.lines.filter((l) => l.msg === 'watch failed; retrying' && l.resource === 'namespaces').length;
    assert.ok(failures >= 1, 'the failed first list was logged');
    assert.equal(metricValue(text, 'gracekeeper_namespace_informer_restarts_total'), failures);
  });

  it('re-reads the version now and then: an upgraded API server gets the native sleep action', async () => {
    assert.ok(server.logs.lines.some((l) => l.msg === 'API server version' && l.kubeVersion === '1.29'));
    api.version = { major: '1', minor: '30', gitVersion: 'v1.30.0' };
    await until(
      'the new version',
      async () => JSON.stringify(await preStopOf('plain')) === JSON.stringify({ sleep: { seconds: 5 } }),
    );
    assert.ok(server.logs.lines.some((l) => l.msg === 'API server version' && l.kubeVersion === '1.30'));
  });

  it('warns once per version about an API server older than the tested releases', async () => {
    const untested = (minor: string) =>
      server.logs.lines.filter(
        (l) => l.level === 'warn' && l.kubeVersion === `1.${minor}` && /older than the releases/.test(String(l.msg)),
      );
    await until('the 1.30 warning', () => Promise.resolve(untested('30').length > 0));
    assert.equal(untested('29').length, 1, 'one warning for 1.29, however often it was read');
    assert.equal(untested('30').length, 1);
    assert.match(
      String(untested('30')[0]?.msg),
      /^Kubernetes 1\.30 is older than the releases gracekeeper is tested on \(1\.35 to 1\.37\)/,
    );
    api.version = { major: '1', minor: '36', gitVersion: 'v1.36.3' };
    await until('1.36 read', () =>
      Promise.resolve(server.logs.lines.some((l) => l.msg === 'API server version' && l.kubeVersion === '1.36')),
    );
    assert.ok(!server.logs.lines.some((l) => l.level === 'warn' && l.kubeVersion === '1.36'), 'no warning for a tested release');
  });
});

describe('no cluster', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ cluster: undefined, env: {} });
  });
  after(() => server.stop());

  it('says so once, is ready at once, and runs on the cluster settings alone', async () => {
    const said = server.logs.lines.filter((l) => /no cluster to talk to/.test(String(l.msg)));
    assert.equal(said.length, 1);
    assert.equal((await call(server, { method: 'GET', path: '/readyz' })).status, 200);
    const reply = await call(server, { body: review(pod()) });
    const op = decodePatch(reply.json.response).find((o) => /lifecycle/.test(o.path));
    assert.deepEqual(op.value.preStop, { sleep: { seconds: 5 } });
    assert.equal(metricValue(await getMetrics(server), 'gracekeeper_namespace_informer_state{state="disabled"}'), 1);
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the maximum, with jitter of ±20%', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [0, 1, 2, 3, 10, 50].map((n) => backoffDelay(n, 500, 30_000, mid)),
      [500, 1000, 2000, 4000, 30_000, 30_000],
    );
    assert.equal(
      backoffDelay(0, 500, 30_000, () => 0),
      400,
    );
    assert.equal(
      backoffDelay(0, 500, 30_000, () => 1),
      600,
    );
  });
});

describe('the namespace cache', () => {
  it('lists in pages and keeps labels, gracekeeper.io/ annotations and only the Linkerd ones mesh detection reads, from list and watch', async () => {
    const api = new FakeApiServer();
    await api.start();
    const count = 2 * LIST_PAGE_SIZE + 7;
    for (let i = 0; i < count; i++) {
      api.set(
        `ns-${i}`,
        { 'gracekeeper.io/pre-stop-sleep': '7', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        true,
        { team: 'a' },
      );
    }
    const config = new KubeConfig();
    config.loadFromFile(api.kubeconfig(tempDir()));
    const source = new InformerNamespaceSource(config, { log: pino({ level: 'silent' }) });
    try {
      source.start();
      await until('synced', () => source.synced());
      assert.equal(api.lists, 3, 'three pages');
      assert.equal(source.size(), count);
      assert.deepEqual(source.get('ns-0'), { labels: { team: 'a' }, annotations: { 'gracekeeper.io/pre-stop-sleep': '7' } });
      // The fake server sends an event only to a watch already open (it replays nothing): wait for it.
      await until('the watch', () => api.watches > 0);
      api.set('ns-0', { team: 'a', 'gracekeeper.io/drain-timeout': '9' }, true, { team: 'b' });
      await until('the change', () => source.get('ns-0')?.annotations['gracekeeper.io/drain-timeout'] === '9');
      assert.deepEqual(source.get('ns-0'), { labels: { team: 'b' }, annotations: { 'gracekeeper.io/drain-timeout': '9' } });
      // Linkerd meshes a namespace by annotation: exactly the keys mesh detection reads are kept.
      const linkerd = {
        'linkerd.io/inject': 'enabled',
        'config.alpha.linkerd.io/proxy-wait-before-exit-seconds': '40',
        'config.beta.linkerd.io/proxy-enable-native-sidecar': 'false',
        'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'false',
      };
      api.set('ns-1', { ...linkerd, 'linkerd.io/created-by': 'cli', 'config.linkerd.io/proxy-cpu-limit': '1' }, true, {});
      await until('the Linkerd keys', () => source.get('ns-1')?.annotations['linkerd.io/inject'] === 'enabled');
      assert.deepEqual(source.get('ns-1'), { labels: {}, annotations: linkerd });
    } finally {
      await source.stop();
      await api.stop();
    }
  });
});
