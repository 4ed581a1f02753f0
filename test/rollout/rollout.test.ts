// Smoke test of the rollout proof's scripts (test/rollout/): the load generator against a local
// HTTP server for a moment (a new connection per request, and a keep-alive pool), its failure
// classes, both command lines, the JSON that `make rollout-proof` writes and the docs' table, and
// the link between two nodes. No cluster, no root; a few seconds. lb.test.ts and app.test.ts
// cover the emulated load balancer and the keep-alive app.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it, after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { classify, parseDurationMs, parseLoadArgs, runLoad, type LoadResult } from './loadgen.js';
import { BEGIN, END, percent, podSpecWords, resultsBlock, updateDocs } from './docs-table.js';
import { linkCommands } from './node-link.js';
import { parseProofArgs } from './options.js';
import { failedAfterSleep, failureWindows, formatSweep, formatTable, summarize, summarizeArm, type RunRecord } from './report.js';

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
    // Generous timeouts: the machine may be busy with other work.
    const r = await runLoad({ url: `${base}/`, rate: 100, timeoutMs: 5000, durationMs: 1000, expectBody: 'ok' });
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

  it('keeps a pool of persistent connections with --keep-alive, and replaces those the server closes', async () => {
    const r = await runLoad({ url: `${base}/`, rate: 100, timeoutMs: 5000, durationMs: 1000, expectBody: 'ok', keepAlive: 4 });
    assert.ok(r.requests >= 95, `~100 requests, got ${r.requests}`);
    assert.equal(r.failed, 0);
    assert.ok(r.connections >= 1 && r.connections <= 4, `at most 4 connections, got ${r.connections}`);
    const fresh = await runLoad({ url: `${base}/`, rate: 100, timeoutMs: 5000, durationMs: 300 });
    assert.equal(fresh.connections, fresh.requests, 'without keep-alive, a connection per request');

    // A server that answers with `Connection: close` now and then: each such answer costs a connection.
    let n = 0;
    const closing = createServer((_req, res) => {
      if (++n % 10 === 0) res.setHeader('connection', 'close');
      res.end('ok');
    });
    const port = await listen(closing);
    const c = await runLoad({ url: `http://127.0.0.1:${port}/`, rate: 100, timeoutMs: 5000, durationMs: 1000, keepAlive: 2 });
    closing.close();
    assert.equal(c.failed, 0);
    assert.ok(c.connections >= Math.floor(c.requests / 10), `${c.connections} connections for ${c.requests} requests`);
  });

  it('marks failures on reused keep-alive connections', async () => {
    // Answers the first request of each connection, then resets the connection at the second.
    const seen = new WeakSet<object>();
    const resetting = createServer((req, res) => {
      if (seen.has(req.socket)) return req.socket.destroy();
      seen.add(req.socket);
      res.end('ok');
    });
    const port = await listen(resetting);
    const r = await runLoad({ url: `http://127.0.0.1:${port}/`, rate: 50, timeoutMs: 5000, durationMs: 600, keepAlive: 1 });
    resetting.closeAllConnections();
    resetting.close();
    assert.ok(r.failed > 0 && r.ok > 0, JSON.stringify(r.byType));
    assert.equal(r.failedOnReused, r.failed);
    assert.equal(r.byType.reset, r.failed);
    assert.ok(r.failures.every((f) => f.reused === true));
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
    assert.equal(parseLoadArgs(['--url=http://x/', '--keep-alive=16']).keepAlive, 16);
    assert.throws(() => parseLoadArgs(['--url=http://x/', '--keep-alive=0']), /--keep-alive/);
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
    assert.throws(() => parseDurationMs('soon'), /not a duration/);
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
    connections: requests,
    failedOnReused: 0,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    perSecond: [],
    failures,
  });
  const refusedAt = (t: number) => ({ t, type: 'refused' as const, detail: 'ECONNREFUSED' });
  const records: RunRecord[] = [
    {
      scenario: 'rolling-update',
      arm: 'without',
      run: 1,
      load: load(4000, 900, [refusedAt(4000), refusedAt(5500)]),
      events: [
        { t: 5000, what: 'restart 1' },
        { t: 6000, what: 'pod web-1 deleted' },
        { t: 47_500, what: 'settled' },
      ],
      loadAverage: [1, 2, 3],
    },
    { scenario: 'rolling-update', arm: 'with', run: 1, load: load(11000, 0), events: [] },
    { scenario: 'rolling-update', arm: 'without', run: 2, load: load(4100, 800), events: [] },
    { scenario: 'rolling-update', arm: 'with', run: 2, load: load(11500, 0), events: [] },
    { scenario: 'slow-path', arm: 'with', run: 1, load: load(6000, 2000), events: [], path: { toDraining: 3000 } },
    { scenario: 'slow-path', arm: 'without', run: 1, load: load(5000, 2500), events: [] },
  ];
  const conditions = { 'slow-path': { disruption: 'restart', notRun: { auto: 'not accepted' } }, 'rolling-update': {} };

  it('writes scenarios {NAME: {without, with}} with requests, failed and byType first, the rolling update also at the top', () => {
    const s = summarize(records, { rate: 200 }, conditions);
    const json = JSON.parse(JSON.stringify(s));
    assert.deepEqual(Object.keys(json), ['without', 'with', 'scenarios', 'conditions']);
    assert.deepEqual(Object.keys(json.scenarios), ['rolling-update', 'slow-path']);
    assert.deepEqual(Object.keys(json.scenarios['slow-path']), ['without', 'with']);
    assert.deepEqual(Object.keys(json.without).slice(0, 3), ['requests', 'failed', 'byType']);
    assert.deepEqual(json.without, json.scenarios['rolling-update'].without);
    assert.equal(json.without.requests, 8100);
    assert.equal(json.without.failed, 1700);
    assert.equal(json.with.failed, 0);
    assert.deepEqual(json.without.byType, { refused: 1700, reset: 0, timeout: 0, http5xx: 0, other: 0 });
    const run1 = json.without.runs[0];
    assert.equal(run1.failedBeforeDisruption, 1, 'the failure at 4000 ms came before the restart at 5000 ms');
    assert.deepEqual(run1.loadAverage, [1, 2, 3]);
    assert.equal(run1.tookMs, 42_500, 'from the restart to the namespace settled');
    assert.equal(json.without.runs[1].tookMs, undefined, 'a run without those events has no cost');
    assert.deepEqual(run1.failureWindows, [
      { from: 4000, to: 4000, count: 1, byType: { refused: 1 } },
      { from: 5500, to: 5500, count: 1, byType: { refused: 1 } },
    ]);
    assert.deepEqual(json.scenarios['slow-path'].with.runs[0].path, { toDraining: 3000 });
    assert.equal(json.conditions.rate, 200);
    assert.deepEqual(json.conditions.scenarios['slow-path'].notRun, { auto: 'not accepted' });
  });

  it('keeps the scenarios of the earlier file that did not run now, and only those', () => {
    const earlier = summarize(records, { date: 'earlier' }, conditions);
    const scaleIn: RunRecord = { scenario: 'scale-in', arm: 'without', run: 1, load: load(3000, 300), events: [] };
    const now = summarize([scaleIn, ...records.slice(4)], { date: 'now' }, { 'scale-in': { x: 1 }, 'slow-path': {} }, earlier);
    assert.deepEqual(Object.keys(now.scenarios), ['rolling-update', 'scale-in', 'slow-path']);
    assert.deepEqual(now.scenarios['rolling-update'], earlier.scenarios['rolling-update']);
    assert.equal(now.without?.failed, 1700, 'the rolling update kept at the top as well');
    assert.deepEqual(now.conditions.scenarios?.['rolling-update'], {});
    assert.deepEqual(now.conditions.scenarios?.['slow-path'], {}, "this run's conditions replace the earlier ones");
    assert.equal(now.conditions.date, 'now');
    // A file of the earlier format (no `scenarios`) has nothing to keep.
    const old = summarize([scaleIn], {}, { 'scale-in': {} }, { without: earlier.without });
    assert.deepEqual(Object.keys(old.scenarios), ['scale-in']);
    assert.equal(old.without, undefined);
  });

  it('blames a sleep only for failures that began once the first old pod had slept it, and prints the sweep', () => {
    const fail = (t: number) => ({ t, type: 'timeout' as const, detail: 'timeout' });
    const rec: RunRecord = {
      scenario: 'slow-path',
      arm: 'with',
      run: 1,
      load: load(1000, 3, [fail(4000), fail(33_500), fail(33_900)]),
      events: [
        { t: 5000, what: 'restart 1' },
        { t: 13_000, what: 'pod deleted web-a 10.88.0.2' },
        { t: 50_000, what: 'settled' },
      ],
    };
    const arm = summarizeArm([rec]);
    const run = arm.runs[0];
    assert.equal(failedAfterSleep(run, 20), 2, 'the window at 33.5 s began after 13 s + 20 s');
    assert.equal(failedAfterSleep(run, 25), 0);
    const table = formatSweep({ lbDelayS: 20, bySleep: { '20': arm } }, arm, 25);
    assert.match(table, /^20s\s+1000\s+3\s+3\s+2\s+45\.0\s+45\.0$/m);
    assert.match(table, /^auto \(25s\)\s+1000\s+3\s+3\s+0\s+45\.0/m);
  });

  it('prints every scenario, arm and run', () => {
    const table = formatTable(summarize(records, {}, conditions));
    assert.match(table, /^scenario\s+arm\s+run\s+took s\s+requests\s+failed\s+refused/);
    assert.match(table, /^rolling-update\s+without\s+1\s+42\.5\s+4000\s+900/m);
    assert.match(table, /^rolling-update\s+without\s+total\s+42\.5\s+8100\s+1700\s+1700/m);
    assert.match(table, /^rolling-update\s+with\s+total\s+-\s+22500\s+0\s+0/m);
    assert.match(table, /^slow-path\s+with\s+1\s+-\s+6000\s+2000/m);
    assert.equal(table.split('\n').length, 1 + 3 + 3 + 2 + 2);
  });

  it('writes one table with every scenario and its conditions into the docs, between the markers', async () => {
    const s = summarize(
      records,
      {},
      {
        ...conditions,
        'rolling-update': {
          date: '2026-01-02T03:04:05Z',
          runsPerArm: 2,
          disruption: 'two restarts',
          loadAverage: { before: [1, 2, 3], after: [4, 5, 6] },
          podSpec: { with: { terminationGracePeriodSeconds: 30, lifecycle: { preStop: { sleep: { seconds: 5 } } } } },
        },
      },
    );
    const block = resultsBlock(s);
    assert.ok(block.startsWith(BEGIN) && block.endsWith(END));
    assert.match(
      block,
      /^\| rolling-update \| without gracekeeper \| 8,100 \| \*\*1,700\*\* \(21\.0%\) \| 900, 800 \| \*\*42\.5\*\* \| 42\.5, - \| 1, 0 \| 1,700 \| 0 \| 0 \| 0 \| 0 \|$/m,
    );
    assert.match(block, /^\| slow-path \| gracekeeper, `pre-stop-sleep: auto` \| \| not run \(below\) \| \| \| \| \|/m);
    assert.match(block, /\*\*slow-path\*\* .* Arm `auto` not run: not accepted\./);
    assert.match(
      block,
      /\*\*rolling-update\*\* \(2026-01-02 03:04 UTC, 2 runs per arm, .*load averages 1, 2, 3 before, 4, 5, 6 after\)\. Disruption: two restarts\./,
    );
    assert.match(block, /Pods with gracekeeper: preStop sleep 5 s, no readiness probe, terminationGracePeriodSeconds 30/);

    const dir = mkdtempSync(join(tmpdir(), 'gk-docs-'));
    try {
      const page = join(dir, 'page.md');
      writeFileSync(page, `# Title\n\n${BEGIN}\nold\n${END}\n\nAfter.\n`);
      assert.equal(await updateDocs(page, s), true);
      const text = readFileSync(page, 'utf8');
      assert.ok(text.startsWith(`# Title\n\n${BEGIN}\n| Scenario |`) && text.endsWith(`${END}\n\nAfter.\n`));
      assert.doesNotMatch(text, /\nold\n/);
      writeFileSync(page, 'no markers\n');
      assert.equal(await updateDocs(page, s), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes percentages readably, small ones too', () => {
    assert.equal(percent(3390, 12457), '27.2%');
    assert.equal(percent(3, 22937), '0.013%');
    assert.equal(percent(0, 100), '0%');
    assert.equal(percent(0, 0), '0%');
  });

  it('describes a pod spec in words', () => {
    assert.equal(
      podSpecWords({
        terminationGracePeriodSeconds: 30,
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 2 },
      }),
      'preStop sleep 5 s, TCP readiness probe every 5 s (failure threshold 2), terminationGracePeriodSeconds 30',
    );
    assert.equal(
      podSpecWords({ lifecycle: null, readinessProbe: null, terminationGracePeriodSeconds: 30 }),
      'no preStop, no readiness probe, terminationGracePeriodSeconds 30',
    );
    assert.equal(
      podSpecWords({ lifecycle: { preStop: { sleep: { seconds: 20 } } }, sleepBy: 'Service/web (aws-nlb-instance)' }).split(
        ', ',
      )[0],
      'preStop sleep 20 s (sized by Service/web (aws-nlb-instance))',
    );
    assert.equal(podSpecWords(undefined), 'unknown');
  });

  it('groups failures into windows', () => {
    const f = (t: number, type: 'refused' | 'timeout', reused?: boolean) => ({
      t,
      type,
      detail: '',
      ...(reused ? { reused } : {}),
    });
    assert.deepEqual(failureWindows([f(100, 'refused'), f(600, 'timeout', true), f(3000, 'refused')]), [
      { from: 100, to: 600, count: 2, byType: { refused: 1, timeout: 1 }, reused: 1 },
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
      scenarios: ['rolling-update', 'scale-in', 'eviction', 'slow-path', 'keep-alive'],
      arms: ['without', 'with', 'auto'],
      out: 'bench/rollout.json',
      minSyncPeriod: '3s',
      withAnnotations: {},
      lbDelayS: 20,
      sweep: [],
      nodes: 2,
      keep: false,
    });
    const some = parseProofArgs(['--scenarios=eviction,scale-in', '--runs=1']);
    assert.deepEqual(some.scenarios, ['scale-in', 'eviction'], 'in the order they always run');
    assert.equal(some.runs, 1);
    assert.equal(parseProofArgs(['--scenarios=keep-alive']).nodes, 1, 'a second node only for the eviction scenario');
    assert.deepEqual(
      parseProofArgs(['--with-annotation=pre-stop-sleep=10s', '--with-annotation', 'gracekeeper.io/readiness-period=2s'])
        .withAnnotations,
      { 'gracekeeper.io/pre-stop-sleep': '10s', 'gracekeeper.io/readiness-period': '2s' },
    );
    assert.throws(() => parseProofArgs(['--with-annotation=pre-stop-sleep']), /KEY=VALUE/);
    assert.deepEqual(parseProofArgs(['--runs=1', '--modes=with', '--min-sync-period=1s']).arms, ['with']);
    assert.throws(() => parseProofArgs(['--runs=0']), /--runs/);
    assert.throws(() => parseProofArgs(['--modes=sometimes']), /unknown "sometimes"/);
    assert.throws(() => parseProofArgs(['--scenarios=reboot']), /--scenarios: unknown "reboot"/);
    assert.throws(() => parseProofArgs(['--nodes=3']), /--nodes/);
    assert.throws(() => parseProofArgs(['--min-sync-period=soon']), /not a duration/);
    assert.deepEqual(parseProofArgs(['--sweep=10,20s,22s', '--lb-delay=10']).sweep, [10, 20, 22]);
    assert.equal(parseProofArgs(['--lb-delay=10']).lbDelayS, 10);
    assert.throws(() => parseProofArgs(['--sweep=1500ms']), /whole seconds/);
  });

  it('links two nodes: a veth between their namespaces, routes to the other node and its pods', () => {
    const a = { ip: '10.254.0.2', podCidr: '10.88.0.0/17', netns: '/a/net' };
    const b = { ip: '10.254.0.3', podCidr: '10.88.128.0/17', netns: '/b/net' };
    const cmds = linkCommands(a, b);
    assert.deepEqual(cmds[0], ['/a/net', 'ip link add gkx0 type veth peer name gkx1 netns /b/net']);
    assert.equal(cmds[1][0], '/a/net');
    assert.match(cmds[1][1], /^ip route add 10\.88\.128\.0\/17 via 10\.254\.1\.2 dev gkx0$/m);
    assert.match(cmds[1][1], /^ip route add 10\.254\.0\.3\/32 via 10\.254\.1\.2 dev gkx0$/m);
    assert.equal(cmds[2][0], '/b/net');
    assert.match(cmds[2][1], /^ip route add 10\.88\.0\.0\/17 via 10\.254\.1\.1 dev gkx1$/m);
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
