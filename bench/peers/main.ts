// `make bench-peers`: gracekeeper against a Kyverno mutate policy doing the same, through a real
// kube-apiserver, alternated in one run (none, gracekeeper, Kyverno, none, ...): Pod creations
// per second and the API call's latency as a client sees them, what each webhook process costs
// (CPU seconds per 1,000 admissions, peak RSS), and where the two outputs differ on the same Pods.
// Writes bench/peers.json and the tables of docs/peers.md.
// Options: --rounds=N (5) --seconds=S (12, per measured window) --warmup=S (3) --clients=16,100
//          --creates=N (real creates per webhook, 3000) --out=PATH (bench/peers.json) --no-docs
//          --webhooks=none,gracekeeper (a subset, to try the harness; then neither file is written)
//          --render=bench/peers.json (only rewrite the tables of docs/peers.md from that file)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../test/e2e/cluster.js';
import { diff, normalise } from './compare.js';
import { installKyverno, kyvernoDir } from './kyverno.js';
import { runLoad, type Tls } from './load.js';
import { prepareNamespace } from './namespace.js';
import { machine, type Machine } from './machine.js';
import { CASES, loadPod, type Obj } from './pods.js';
import { cpuSeconds, measure, settle, type Usage } from './proc.js';
import { REPO } from './repo.js';
import { writeDocs, type Result } from './docs.js';
import { ratios, rows, table, type Window } from './report.js';
import { WEBHOOKS, dryRun, install, type Installed, type WebhookName } from './webhooks.js';
import { readFileSync } from 'node:fs';

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

const ROUNDS = Number(option('rounds', '5'));
const SECONDS = Number(option('seconds', '12'));
const WARMUP = Number(option('warmup', '3'));
const CLIENTS = option('clients', '16,100').split(',').map(Number);
const CREATES = Number(option('creates', '3000'));
const OUT = option('out', join(REPO, 'bench/peers.json'));
const DOCS = !process.argv.includes('--no-docs');
const ONLY = option('webhooks', WEBHOOKS.join(',')).split(',') as WebhookName[];
const SETUPS = WEBHOOKS.filter((w) => ONLY.includes(w));

const log = (m: string): void => void process.stderr.write(`bench-peers: ${m}\n`);

async function window(
  cp: ControlPlane,
  tls: Tls,
  inst: Installed,
  clients: number,
  dry: boolean,
  round: number,
): Promise<Window> {
  let end: (() => Usage) | undefined;
  let usage: Usage | undefined;
  const apiserver = cp.components.find((c) => c.name === 'kube-apiserver')?.pid;
  let apiCpu0 = 0;
  let apiCpu: number | undefined;
  const r = await runLoad({
    server: cp.server,
    tls,
    object: loadPod(),
    clients,
    dryRun: dry,
    warmupMs: WARMUP * 1000,
    durationMs: SECONDS * 1000,
    maxRequests: dry ? 1_000_000 : CREATES,
    expectMutated: inst.name !== 'none',
    onWindow: (edge) => {
      if (apiserver !== undefined) {
        if (edge === 'open') apiCpu0 = cpuSeconds(apiserver);
        else apiCpu = cpuSeconds(apiserver) - apiCpu0;
      }
      if (inst.pid === undefined) return;
      if (edge === 'open') end = measure(inst.pid);
      else usage = end?.();
    },
  });
  const w: Window = { webhook: inst.name, clients, dryRun: dry, round, ...r, ...usage, apiserverCpuSeconds: apiCpu };
  log(
    `round ${round} ${dry ? 'dry-run' : 'create'} ${inst.name} x${clients}: ${r.count} calls in ${(r.elapsedMs / 1000).toFixed(1)} s, ` +
      `${r.errors} errors, ${r.wrongMutation} wrongly mutated` +
      (usage ? `, cpu ${usage.cpuSeconds.toFixed(2)} s, peak ${usage.peakRssMb.toFixed(0)} MB` : '') +
      (r.firstError ? ` (first error: ${r.firstError})` : ''),
  );
  return w;
}

async function outputs(cp: ControlPlane): Promise<Map<string, Obj>> {
  const out = new Map<string, Obj>();
  for (const c of CASES) {
    const r = await dryRun(cp, c.object);
    if (r.status !== 201) throw new Error(`dry-run of case ${c.name}: HTTP ${r.status}: ${String(r.body.message)}`);
    out.set(c.name, normalise(r.body) as Obj);
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const kyDir = kyvernoDir();
  const workDir = await mkdtemp(join(tmpdir(), 'gracekeeper-peers-'));
  log(`starting the control plane (Kyverno's logs in ${workDir}, removed after a full run that succeeds)`);
  const cp = await startControlPlane();
  try {
    const tls: Tls = await prepareNamespace(cp);
    if (SETUPS.includes('kyverno')) {
      log('installing Kyverno CRDs, ConfigMaps and the policy');
      await installKyverno(cp, kyDir);
    }
    const m: Machine = await machine(cp);

    const windows: Window[] = [];
    const seen = new Map<WebhookName, Map<string, Obj>>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of SETUPS) {
        const inst = await install(name, { cp, kyvernoDir: kyDir, workDir });
        try {
          if (!seen.has(name)) seen.set(name, await outputs(cp));
          if (inst.pid !== undefined) await settle(inst.pid);
          for (const clients of CLIENTS) windows.push(await window(cp, tls, inst, clients, true, round));
        } finally {
          await inst.remove();
        }
      }
    }
    for (const name of SETUPS) {
      const inst = await install(name, { cp, kyvernoDir: kyDir, workDir });
      try {
        if (inst.pid !== undefined) await settle(inst.pid);
        windows.push(await window(cp, tls, inst, CLIENTS[0], false, 1));
      } finally {
        await inst.remove();
      }
    }

    if (SETUPS.length !== WEBHOOKS.length) {
      const dry = rows(windows, true);
      process.stdout.write(`${table(dry.rows, dry.details)}\n`);
      return;
    }
    const dry = rows(windows, true);
    const real = rows(windows, false);
    const gk = seen.get('gracekeeper') as Map<string, Obj>;
    const ky = seen.get('kyverno') as Map<string, Obj>;
    const differences = CASES.map((c) => ({
      case: c.name,
      what: c.what,
      differences: diff(gk.get(c.name), ky.get(c.name)),
    }));
    const result: Result = {
      runs: dry.rows,
      creates: real.rows,
      details: [...dry.details, ...real.details],
      ratios: ratios(dry.rows),
      differences,
      machine: m,
      settings: { rounds: ROUNDS, seconds: SECONDS, warmup_seconds: WARMUP, clients: CLIENTS, max_creates: CREATES },
      took_s: Math.round((Date.now() - started) / 1000),
    };
    await writeFile(OUT, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${OUT}`);
    const text = [table(dry.rows, dry.details), '', 'Real creates (stored in etcd):', '', table(real.rows, real.details)].join(
      '\n',
    );
    process.stdout.write(`${text}\n\nratios gracekeeper / Kyverno: ${JSON.stringify(result.ratios)}\n`);
    if (DOCS) log(`updated ${writeDocs(result)}`);
  } finally {
    await cp.stop();
  }
  if (process.env.GRACEKEEPER_E2E_KEEP !== '1') await rm(workDir, { recursive: true, force: true });
}

const render = process.argv.find((a) => a.startsWith('--render='));
(render
  ? Promise.resolve(log(`updated ${writeDocs(JSON.parse(readFileSync(render.slice(9), 'utf8')) as Result)}`))
  : main()
).catch((err: unknown) => {
  process.stderr.write(`bench-peers: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
