// The edge under deliberate load, under the Deployment's own memory limit (384Mi, in a memory
// cgroup made for the test) and its NODE_OPTIONS: 16 clients send, over and over for 15 s, reviews
// of 2.4 million `{}` (refused before parsing) and of 450,000 (under the bound: the memory budget
// takes one at a time), while one client sends a normal Pod review every 100 ms. The server must
// live through it (no OOM kill), and every normal review must be answered 200 within a second.
// Before the bounds: RSS 521 MiB and normal reviews up to 7.3 s. Loopback only, bounded in time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memoryCgroup } from './cgroup.js';
import { heavyReview } from './heavy-review.js';
import { pod } from './fixtures.js';
import { review, tempDir, until } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT = 384 * 1024 * 1024;
const LOAD_MS = 15_000;

function post(port: number, ca: string, body: Buffer, agent: Agent | false): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca,
        agent,
        method: 'POST',
        path: '/mutate',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

test('16 hostile clients under a 384Mi cgroup: the server lives, normal reviews stay under a second', async (t) => {
  const cgroup = memoryCgroup(`gk-edge-${process.pid}`, LIMIT);
  if (!cgroup) return t.skip('no writable memory cgroup here');
  const dir = tempDir();
  const child = spawn(
    'sh',
    [
      '-c',
      `echo $$ > ${cgroup.procs} && exec "${process.execPath}" --max-old-space-size=256 --max-semi-space-size=8 ` +
        `${join(ROOT, 'dist/cli.js')} serve --port 0 --metrics-port 0 --bind-address 127.0.0.1 --log-level info`,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  // Only the start-up lines are kept (one line an admission follows).
  child.stdout.on('data', (c: Buffer) => {
    if (out.length < 100_000) out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // The Deployment's --log-level info: the self-signed warning names the CA, the serving line the port.
    await until('serving', () => /"port":\d+.*gracekeeper serving/.test(out), 30_000);
    const ca = readFileSync(/"caFile":"([^"]+)"/.exec(out)?.[1] ?? '', 'utf8');
    const port = Number(/"port":(\d+).*gracekeeper serving/.exec(out)?.[1]);
    const normal = Buffer.from(JSON.stringify(review(pod())));
    const first = await post(port, ca, normal, false);
    assert.equal(first.status, 200);

    const huge = Buffer.from(heavyReview(2_400_000));
    const heavy = Buffer.from(heavyReview(450_000));
    const end = Date.now() + LOAD_MS;
    const statuses = new Map<number, number>();
    const hostile = Array.from({ length: 16 }, async (_, i) => {
      const body = i % 4 === 0 ? heavy : huge;
      while (Date.now() < end) {
        const r = await post(port, ca, body, false);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    });
    const latencies: number[] = [];
    const normalStatuses: number[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const prober = (async () => {
      while (Date.now() < end) {
        const r = await post(port, ca, normal, agent);
        latencies.push(r.ms);
        normalStatuses.push(r.status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await Promise.all([...hostile, prober]);
    agent.destroy();
    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    t.diagnostic(
      `hostile answers ${JSON.stringify([...statuses])}; normal reviews ${latencies.length}: p50 ${p(0.5)} ms, ` +
        `p99 ${p(0.99)} ms, max ${p(1)} ms; cgroup peak ${Math.round(cgroup.peak() / 1048576)} MiB of 384`,
    );
    assert.equal(child.exitCode, null, `the server is still running: ${out.slice(-500)}`);
    assert.equal(cgroup.oomKills(), 0);
    assert.ok(latencies.length > 20);
    assert.ok(
      normalStatuses.every((s) => s === 200),
      `normal reviews answered ${[...new Set(normalStatuses)].join(',')}`,
    );
    assert.ok(p(1) < 1000, `slowest normal review ${p(1)} ms`);
    assert.ok((statuses.get(413) ?? 0) > 0, 'the 2.4 million {} reviews refused');
  } finally {
    child.kill('SIGTERM');
    await exited;
    try {
      cgroup.remove();
    } catch {
      // the kernel may take a moment to let go of an empty cgroup
    }
  }
});
