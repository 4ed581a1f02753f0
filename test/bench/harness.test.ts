// A quick run of the admission benchmark (a few hundred requests): gracekeeper's production build
// and the baseline as separate processes on loopback, a separate load generator, a tiny soak. Also
// checks that the committed bench/results.json has the shape make bench writes and ran on the image's Node.js,
// and that docs/performance.md shows it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBench, type BenchResults } from '../../bench/harness.js';
import { makePayload, PAYLOAD_NAMES } from '../../bench/payloads.js';
import { deploymentNodeOptions, REPO } from '../../bench/processes.js';
import { resultsBlock, summary } from '../../bench/performance-doc.js';
import { table } from '../../bench/stats.js';
import { pinnedNodeVersion } from '../deploy/image-node.js';

const RUN_KEYS = ['server', 'payload', 'concurrency', 'rps', 'p50_ms', 'p99_ms', 'p999_ms', 'rss_mb'];

function checkRuns(results: Pick<BenchResults, 'runs'>): void {
  for (const run of results.runs) {
    assert.deepEqual(Object.keys(run), RUN_KEYS);
    assert.ok(run.server === 'gracekeeper' || run.server === 'baseline');
    assert.ok(run.rps > 0 && run.rss_mb > 10, JSON.stringify(run));
    assert.ok(run.p50_ms > 0 && run.p50_ms <= run.p99_ms && run.p99_ms <= run.p999_ms, JSON.stringify(run));
  }
}

describe('bench', () => {
  it('makes the three payloads the size they are named for', () => {
    const sizes = Object.fromEntries(PAYLOAD_NAMES.map((n) => [n, makePayload(n).body.length]));
    assert.ok(sizes.pod < 4096 && sizes.deployment > 8192, JSON.stringify(sizes));
    assert.ok(Math.abs(sizes['pod-1mib'] - 2 ** 20) < 2 ** 20 / 100, JSON.stringify(sizes));
    const deployment = JSON.parse(makePayload('deployment').body.toString()) as { request: { object: any } };
    const spec = deployment.request.object.spec.template.spec;
    assert.equal(spec.containers.length, 4);
    assert.ok(
      spec.initContainers.some((c: { restartPolicy?: string }) => c.restartPolicy === 'Always'),
      'a native sidecar',
    );
  });

  it('runs gracekeeper and the baseline under load, alternately, and a soak', { timeout: 180_000 }, async (t) => {
    if (!existsSync(join(REPO, 'dist/cli.js'))) {
      t.skip('dist/cli.js is not built (make build)');
      return;
    }
    const lines: string[] = [];
    const results = await runBench({
      payloads: ['pod', 'deployment'],
      concurrencies: [4],
      servers: ['gracekeeper', 'baseline'],
      rounds: 1,
      warmupMs: 200,
      durationMs: 15_000,
      maxRequests: 100,
      soak: 200,
      soakConcurrency: 4,
      soakMaxMs: 15_000,
      kubeClientAdmissions: 100,
      node: process.execPath,
      nodeOptions: deploymentNodeOptions(),
      log: (line) => lines.push(line),
    });
    assert.deepEqual(
      results.rounds.map((r) => `${r.payload}/${r.server}`),
      ['pod/gracekeeper', 'pod/baseline', 'deployment/gracekeeper', 'deployment/baseline'],
    );
    for (const r of results.rounds) {
      assert.equal(r.errors, 0, JSON.stringify(r));
      assert.ok(r.count >= 100, JSON.stringify(r));
      assert.ok(r.cold_start_ms > 0 && r.server_cpu_us_per_request >= 0, JSON.stringify(r)); // CPU ticks are 10 ms: 0 in a short window
    }
    // gracekeeper logged one JSON line per admission to its log file (not the object: far less than its size).
    for (const r of results.rounds.filter((x) => x.server === 'gracekeeper')) {
      assert.equal(r.log_admission_lines, r.answered, 'one log line per admission');
      assert.ok(
        (r.log_bytes_per_line as number) > 150 && (r.log_bytes_per_line as number) < 1000,
        `${r.log_bytes_per_line} bytes a line`,
      );
    }
    assert.equal(results.runs.length, 4);
    checkRuns(results);
    assert.equal(results.ratios.length, 2);
    assert.equal(results.soak?.admissions, 200);
    assert.equal(results.soak?.errors, 0);
    assert.ok((results.soak?.rss_mb_after ?? 0) > 10);
    assert.equal(results.with_kube_client?.admissions, 100);
    assert.equal(results.with_kube_client?.errors, 0);
    assert.ok((results.with_kube_client?.rss_mb_after ?? 0) > (results.soak?.rss_mb_after ?? 0), 'the client costs memory');
    assert.match(table(results.runs), /\| pod \| 4 \| gracekeeper \| \d+ \|/);
    // The load average at the start and the end of the run (the machine is shared), in the page's summary.
    const load = results.machine.load_average;
    assert.ok(load && load.start.length === 3 && load.end.length === 3, JSON.stringify(load));
    assert.match(
      summary(results)[0] ?? '',
      /; load average [\d.]+ [\d.]+ [\d.]+ at the start, [\d.]+ [\d.]+ [\d.]+ at the end\.$/,
    );
    // One line per round, the soak's and the client's; the soak's progress lines come only when it is slow (a busy machine).
    const progress = /^ {2}soak: \d+ admissions, RSS /;
    assert.equal(lines.filter((l) => !progress.test(l)).length, 6, lines.join('\n'));
  });

  it('names the reviews the memory budget shed (429), apart from errors, in the summary', () => {
    const base = JSON.parse(readFileSync(join(REPO, 'bench/results.json'), 'utf8')) as BenchResults;
    const shedRound = { ...base.rounds[0], payload: 'pod-1mib' as const, concurrency: 64, shed: 116 };
    const lines = summary({
      ...base,
      rounds: [shedRound, { ...shedRound, shed: 106 }, { ...shedRound, concurrency: 16, shed: undefined }],
    });
    const line = lines.find((l) => l.startsWith('Shed by'));
    assert.ok(line, lines.join('\n'));
    assert.match(line, /pod-1mib at concurrency 64: 116 and 106\.$/);
    assert.doesNotMatch(line, /concurrency 16/);
    assert.equal(summary({ ...base, rounds: [] }).filter((l) => l.startsWith('Shed by')).length, 0);
  });

  it("has results.json in the shape make bench writes, run on the image's Node.js, and docs/performance.md shows its table", () => {
    const results = JSON.parse(readFileSync(join(REPO, 'bench/results.json'), 'utf8')) as BenchResults;
    checkRuns(results);
    const cells = new Set(results.runs.map((r) => `${r.server}/${r.payload}/${r.concurrency}`));
    for (const server of ['gracekeeper', 'baseline']) {
      for (const payload of PAYLOAD_NAMES) {
        for (const c of [1, 16, 64]) assert.ok(cells.has(`${server}/${payload}/${c}`), `${server}/${payload}/${c}`);
      }
    }
    const major = pinnedNodeVersion().split('.')[0];
    assert.equal(results.machine.node.split('.')[0], `v${major}`, "make bench ran gracekeeper on the image's Node.js major");
    const doc = readFileSync(join(REPO, 'docs/performance.md'), 'utf8');
    assert.ok(doc.startsWith('# Performance\n'));
    assert.ok(
      doc.includes(resultsBlock(results)),
      'docs/performance.md has the table of bench/results.json (make bench writes both)',
    );
  });
});
