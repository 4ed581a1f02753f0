// `make bench`: runs the benchmark with settings from the environment, prints the table and writes
// bench/results.json. BENCH_SECONDS (measured window per run, 4), BENCH_WARMUP (seconds, 1.5),
// BENCH_ROUNDS (2), BENCH_CONCURRENCY (1,16,64), BENCH_PAYLOADS (pod,deployment,pod-1mib),
// BENCH_SOAK (admissions, 1000000; 0 for none), BENCH_OUT (bench/results.json; when it is not set,
// docs/performance.md's results block is rewritten too), BENCH_NODE_OPTIONS (the Deployment's
// NODE_OPTIONS), BENCH_KUBE_CLIENT (admissions with the Kubernetes client loaded, 100000; 0 for none),
// BENCH_NODE (the node binary both servers run on; the image's Node.js by default: bench/node.ts),
// BENCH_GRACEKEEPER_FLAGS (node flags for gracekeeper alone), BENCH_PROFILE_DIR (a directory: each
// measured server process is profiled with --cpu-prof into it, and the self time of each is printed).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, summarise, type CpuProfile } from './cpuprofile.js';
import { runBench } from './harness.js';
import { benchNode, nodeVersion } from './node.js';
import { PAYLOAD_NAMES, type PayloadName } from './payloads.js';
import { summary, updateDoc } from './performance-doc.js';
import { deploymentNodeOptions, REPO } from './processes.js';
import { table } from './stats.js';

const env = process.env;
const number = (name: string, fallback: number) => {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${env[name]}: expected a number`);
  return value;
};
const list = (name: string, fallback: string) =>
  (env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const payloads = list('BENCH_PAYLOADS', PAYLOAD_NAMES.join(','));
for (const p of payloads) if (!(PAYLOAD_NAMES as readonly string[]).includes(p)) throw new Error(`BENCH_PAYLOADS: unknown ${p}`);
const out = env.BENCH_OUT || join(REPO, 'bench/results.json');
const doc = join(REPO, 'docs/performance.md');
const node = benchNode(env);
const profileDir = env.BENCH_PROFILE_DIR || undefined;
if (profileDir) await mkdir(profileDir, { recursive: true });
const started = performance.now();
process.stdout.write(`gracekeeper and the baseline on Node.js ${nodeVersion(node)} (${node})\n`);

const results = await runBench({
  payloads: payloads as PayloadName[],
  concurrencies: list('BENCH_CONCURRENCY', '1,16,64').map(Number),
  servers: ['gracekeeper', 'baseline'],
  rounds: number('BENCH_ROUNDS', 2),
  warmupMs: number('BENCH_WARMUP', 1.5) * 1000,
  durationMs: number('BENCH_SECONDS', 4) * 1000,
  soak: number('BENCH_SOAK', 1_000_000),
  soakConcurrency: 16,
  soakMaxMs: number('BENCH_SOAK_MAX_SECONDS', 400) * 1000,
  kubeClientAdmissions: number('BENCH_KUBE_CLIENT', 100_000),
  node,
  nodeOptions: env.BENCH_NODE_OPTIONS ?? deploymentNodeOptions(),
  gracekeeperNodeFlags: env.BENCH_GRACEKEEPER_FLAGS ? env.BENCH_GRACEKEEPER_FLAGS.split(' ') : undefined,
  profileDir,
  log: (line) => process.stdout.write(`${line}\n`),
});

await writeFile(out, `${JSON.stringify(results, null, 1)}\n`);
const lines = ['', table(results.runs), '', ...summary(results)];
if (profileDir) {
  for (const file of (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile;
    lines.push('', describe(join(profileDir, file), summarise(profile, 15)));
  }
}
const bad = results.rounds.filter((r) => r.errors > 0).length + (results.soak?.errors ? 1 : 0);
if (bad > 0) {
  lines.push(`ERRORS in ${bad} runs (see ${out}); docs/performance.md not updated`);
  process.exitCode = 1;
} else if (!env.BENCH_OUT && (await updateDoc(doc, results))) {
  lines.push('docs/performance.md updated');
}
lines.push(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.stdout.write(`${lines.join('\n')}\n`);
