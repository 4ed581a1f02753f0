// Smoke test of the rolling-update proof's scripts (test/rollout/): the load generator against a
// local HTTP server for a moment, its failure classes, both command lines, and the JSON that
// `make rollout-proof` writes. No cluster, no root; a few seconds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it, after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { classify, parseDurationMs, parseLoadArgs, runLoad, type LoadResult } from './loadgen.js';
import { failureWindows, formatTable, parseProofArgs, summarize, type RunRecord } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('loadgen', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/503') {
        res.statusCode = 503;
        res.end('busy');
      } else if (req.url === '/reset') {
        req.socket.destroy();
      } else if (req.url === '/hang') {
        // never answers
      } else if (req.url === '/wrong') {
        res.end('not ok');
      } else {
        res.end('ok\n');
      }
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends a steady rate, one connection per request, and counts answers', async () => {
    const r = await runLoad({ url: `${base}/`, rate: 100, timeoutMs: 1000, durationMs: 1000, expectBody: 'ok' });
    assert.ok(r.requests >= 95 && r.requests <= 102, `~100 requests, got ${r.requests}`);
    assert.equal(r.failed, 0);
    assert.equal(r.ok, r.requests);
    assert.equal(r.skipped, 0);
    assert.deepEqual(r.byType, { refused: 0, reset: 0, timeout: 0, http5xx: 0, other: 0 });
    assert.ok(r.perSecond.length >= 1 && r.perSecond[0][0] > 90);
    assert.ok(r.startedAt > 0 && r.latencyMs.max >= r.latencyMs.p50);
  });

  it('counts failures by type', async () => {
    const load = (path: string, timeoutMs = 1000): Promise<LoadResult> =>
      runLoad({ url: `${base}${path}`, rate: 50, timeoutMs, durationMs: 200, expectBody: 'ok' });
    const [http5xx, reset, timeout, body] = await Promise.all([load('/503'), load('/reset'), load('/hang', 150), load('/wrong')]);
    for (const [r, type] of [
      [http5xx, 'http5xx'],
      [reset, 'reset'],
      [timeout, 'timeout'],
      [body, 'other'],
    ] as const) {
      assert.ok(r.requests > 0);
      assert.equal(r.failed, r.requests, `${type}: every request failed`);
      assert.equal(r.byType[type], r.requests, `${type}: ${JSON.stringify(r.byType)}`);
      assert.equal(r.failures[0]?.type, type);
    }
    assert.deepEqual(body.otherCodes, { 'unexpected-body': body.requests });

    const closed = createTcpServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const refused = await runLoad({ url: `http://127.0.0.1:${port}/`, rate: 50, timeoutMs: 1000, durationMs: 200 });
    assert.equal(refused.byType.refused, refused.requests);
  });

  it('stops on an abort signal and waits for the requests in flight', async () => {
    const ac = new AbortController();
    let started = false;
    const p = runLoad({ url: `${base}/`, rate: 200, timeoutMs: 1000, signal: ac.signal, onStart: () => (started = true) });
    setTimeout(() => ac.abort(), 300);
    const r = await p;
    assert.ok(started);
    assert.ok(r.durationMs >= 290 && r.durationMs < 1500, `stopped after ${r.durationMs} ms`);
    assert.equal(r.ok + r.failed, r.requests);
  });

  it('classifies errors', () => {
    const e = (code: string, message = code): Error & { code: string } => Object.assign(new Error(message), { code });
    assert.equal(classify(e('ECONNREFUSED'))?.type, 'refused');
    assert.equal(classify(e('ECONNRESET'))?.type, 'reset');
    assert.equal(classify(e('EPIPE'))?.type, 'reset');
    assert.equal(classify(e('ETIMEDOUT'))?.type, 'timeout');
    assert.deepEqual(classify(e('EHOSTUNREACH')), { type: 'other', detail: 'EHOSTUNREACH' });
    assert.deepEqual(classify(undefined, 502), { type: 'http5xx', detail: '502' });
    assert.deepEqual(classify(undefined, 404), { type: 'other', detail: 'http404' });
    assert.equal(classify(undefined, 200), undefined);
  });

  it('parses its command line', () => {
    assert.deepEqual(parseLoadArgs(['--url=http://10.0.0.5/']), {
      url: 'http://10.0.0.5/',
      rate: 200,
      timeoutMs: 3000,
      durationMs: undefined,
      expectBody: undefined,
      maxInFlight: 2000,
      out: undefined,
    });
    const o = parseLoadArgs([
      '--url',
      'http://x:8080/a',
      '--rate',
      '50',
      '--duration',
      '2m',
      '--timeout',
      '1500ms',
      '--out',
      'f.json',
    ]);
    assert.equal(o.rate, 50);
    assert.equal(o.durationMs, 120_000);
    assert.equal(o.timeoutMs, 1500);
    assert.equal(o.out, 'f.json');
    assert.throws(() => parseLoadArgs([]), /--url is required/);
    assert.throws(() => parseLoadArgs(['--url=https://x/']), /http:\/\//);
    assert.throws(() => parseLoadArgs(['--url=http://x/', '--rate=0']), /--rate/);
    assert.throws(() => parseLoadArgs(['--url=http://x/', '--bogus']), /bogus/);
    assert.equal(parseDurationMs('7'), 7000);
    assert.throws(() => parseDurationMs('7h'), /not a duration/);
  });

  it('runs as a command and writes its result as JSON', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'loadgen.ts'),
        '--url=http://127.0.0.1:1/',
        '--rate=20',
        '--duration=300ms',
        '--timeout=200ms',
      ],
      { encoding: 'utf8', cwd: join(here, '..', '..') },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as LoadResult;
    assert.ok(out.requests > 0);
    assert.equal(out.failed, out.requests);
    assert.match(r.stderr, /loadgen: started/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'loadgen.ts')], {
      encoding: 'utf8',
      cwd: join(here, '..', '..'),
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--url is required/);
  });
});

describe('rollout-proof report', () => {
  const load = (requests: number, failed: number, failures: LoadResult['failures'] = []): LoadResult => ({
    url: 'http://10.0.0.9/',
    startedAt: 1,
    durationMs: 20_000,
    targetRate: 200,
    achievedRate: 200,
    requests,
    ok: requests - failed,
    failed,
    byType: { refused: failed, reset: 0, timeout: 0, http5xx: 0, other: 0 },
    otherCodes: {},
    skipped: 0,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    perSecond: [],
    failures,
  });

  it('writes {without:{requests,failed}, with:{requests,failed}} with per-type and per-run detail', () => {
    const records: RunRecord[] = [
      {
        mode: 'without',
        run: 1,
        load: load(4000, 900, [{ t: 5000, type: 'refused', detail: 'ECONNREFUSED' }]),
        events: [{ t: 5000, what: 'restart 1' }],
      },
      { mode: 'with', run: 1, load: load(11000, 0), events: [] },
      { mode: 'without', run: 2, load: load(4100, 800), events: [] },
      { mode: 'with', run: 2, load: load(11500, 0), events: [] },
    ];
    const s = summarize(records, { rate: 200 });
    const json = JSON.parse(JSON.stringify(s)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(json), ['without', 'with', 'conditions']);
    assert.deepEqual(Object.keys(json.without).slice(0, 2), ['requests', 'failed']);
    assert.equal(json.without.requests, 8100);
    assert.equal(json.without.failed, 1700);
    assert.equal(json.with.requests, 22500);
    assert.equal(json.with.failed, 0);
    assert.deepEqual(json.without.byType, { refused: 1700, reset: 0, timeout: 0, http5xx: 0, other: 0 });
    const runs = json.without.runs as { run: number; failureWindows: unknown[] }[];
    assert.deepEqual(
      runs.map((r) => r.run),
      [1, 2],
    );
    assert.deepEqual(runs[0].failureWindows, [{ from: 5000, to: 5000, count: 1, byType: { refused: 1 } }]);
    const table = formatTable(s);
    assert.match(table, /^without\s+total\s+8100\s+1700\s+1700/m);
    assert.match(table, /^with\s+total\s+22500\s+0\s+0/m);
  });

  it('groups failures into windows', () => {
    const f = (t: number, type: 'refused' | 'timeout') => ({ t, type, detail: '' });
    assert.deepEqual(failureWindows([f(100, 'refused'), f(600, 'timeout'), f(3000, 'refused')]), [
      { from: 100, to: 600, count: 2, byType: { refused: 1, timeout: 1 } },
      { from: 3000, to: 3000, count: 1, byType: { refused: 1 } },
    ]);
    assert.deepEqual(failureWindows([]), []);
  });

  it('parses its command line', () => {
    const o = parseProofArgs([]);
    assert.deepEqual(o, {
      runs: 3,
      rate: 200,
      restarts: 2,
      replicas: 3,
      timeoutMs: 3000,
      warmupMs: 5000,
      modes: ['without', 'with'],
      out: 'bench/rollout.json',
      minSyncPeriod: '3s',
      withAnnotations: {},
      keep: false,
    });
    assert.deepEqual(
      parseProofArgs(['--with-annotation=pre-stop-sleep=10s', '--with-annotation', 'gracekeeper.io/readiness-period=2s'])
        .withAnnotations,
      { 'gracekeeper.io/pre-stop-sleep': '10s', 'gracekeeper.io/readiness-period': '2s' },
    );
    assert.throws(() => parseProofArgs(['--with-annotation=pre-stop-sleep']), /KEY=VALUE/);
    assert.deepEqual(parseProofArgs(['--runs=1', '--modes=with', '--min-sync-period=1s']).modes, ['with']);
    assert.throws(() => parseProofArgs(['--runs=0']), /--runs/);
    assert.throws(() => parseProofArgs(['--modes=sometimes']), /unknown mode/);
    assert.throws(() => parseProofArgs(['--min-sync-period=soon']), /not a duration/);
  });

  it('ships shell scripts that parse, and a cleanup that refuses a foreign cgroup', () => {
    for (const s of ['images.sh', 'cleanup.sh', 'prereqs.sh']) {
      const r = spawnSync('bash', ['-n', join(here, s)], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${s}: ${r.stderr}`);
    }
    const r = spawnSync('bash', [join(here, 'cleanup.sh'), '/nonexistent', 'kubepods'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing/);
  });
});
