// Benchmark (not part of `make test`): admission latency of one Deployment over HTTPS with one
// connection and with 16, and the server's RSS after 100,000 admissions. The server runs as its own
// process (`node dist/cli.js serve`, so build first), logging at info to /dev/null.
// With --cluster the server also loads @kubernetes/client-node and watches 200 namespaces of a
// fake API server (as in a cluster); without, it runs on the cluster settings alone.
//   npm run build && node --import tsx test/server/bench-latency.ts [admissions=100000] [--cluster]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { FakeApiServer } from './fake-apiserver.js';
import { deployment } from './fixtures.js';
import { review, tempDir } from './helpers.js';

const args = process.argv.slice(2);
const total = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir('gk-bench-');
const clusterArgs: string[] = [];
let api: FakeApiServer | undefined;
if (args.includes('--cluster')) {
  api = new FakeApiServer();
  await api.start();
  for (let i = 0; i < 200; i++) api.set(`ns-${i}`, { 'gracekeeper.io/pre-stop-sleep': String(i % 20), team: `t${i}` });
  api.set('shop', { 'gracekeeper.io/drain-timeout': '40s' });
  clusterArgs.push('--kubeconfig', api.kubeconfig(dir));
}
const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(
  process.execPath,
  [
    'dist/cli.js',
    'serve',
    '--port',
    String(port),
    '--metrics-port',
    '0',
    '--bind-address',
    '127.0.0.1',
    '--self-signed-dir',
    dir,
    '--shutdown-delay',
    '0s',
    ...clusterArgs,
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KUBERNETES_SERVICE_HOST: '' } },
);

const rssMiB = () => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

const body = JSON.stringify(review(deployment()));
let ca = '';

function post(agent: Agent): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        method: 'POST',
        path: '/mutate',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(connections: number, count: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, ca });
  const times: number[] = [];
  let left = count;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left-- > 0) times.push(await post(agent));
    }),
  );
  agent.destroy();
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (sorted: number[]) =>
  `p50 ${pct(sorted, 50).toFixed(2)} ms, p99 ${pct(sorted, 99).toFixed(2)} ms (n=${sorted.length})`;

for (let i = 0; i < 100; i++) {
  try {
    ca = readFileSync(`${dir}/ca.crt`, 'utf8');
    await post(new Agent({ ca }));
    const ready = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port, servername: 'localhost', path: '/readyz', ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    if (ready !== 200) throw new Error('not ready');
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
console.log(`RSS after start: ${rssMiB().toFixed(1)} MiB`);
await run(1, 2000); // warm-up
console.log(`1 connection:   ${fmt(await run(1, 5000))}`);
console.log(`16 connections: ${fmt(await run(16, 10000))}`);
// The rest in rounds of 50,000 with the RSS after each: growth that does not level off is a leak.
let done = 17_000;
const started = Date.now();
while (done < total) {
  const round = Math.min(50_000 - (done % 50_000), total - done);
  await run(16, round);
  done += round;
  console.log(`RSS after ${done} admissions: ${rssMiB().toFixed(1)} MiB`);
}
console.log(`${((total - 17_000) / ((Date.now() - started) / 1000)) | 0} admissions/s with 16 connections`);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await api?.stop();
