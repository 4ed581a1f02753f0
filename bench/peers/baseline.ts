// `make bench-baseline`: what the in-process baseline (deploy/baseline/policy.yaml, a
// MutatingAdmissionPolicy) costs, through a real kube-apiserver, with the peer benchmark's load
// generator: Pod creations with none, the baseline alone, gracekeeper alone and both, alternated
// in rounds (none, baseline, gracekeeper, both, none, ...). Creations per second, p50/p99 as a
// client sees them, and the API server's CPU seconds per 1,000 creations (where the policy's
// CEL runs). Writes bench/baseline.json and the table of docs/baseline.md.
// Options: --rounds=N (3) --seconds=S (10) --warmup=S (3) --clients=N (16) --creates=N (2000)
//          --policy=FILE (deploy/baseline/policy.yaml) --setups=none,baseline (a subset: nothing written)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../test/e2e/cluster.js';
import { pointWebhookAt, renderDeploy, startGracekeeper, type Gracekeeper } from '../../test/e2e/gracekeeper.js';
import { waitFor } from '../../test/e2e/util.js';
import { percentile, round, sortedCopy } from '../stats.js';
import { runLoad, type Tls } from './load.js';
import { prepareNamespace } from './namespace.js';
import { machine, type Machine } from './machine.js';
import { createPath, loadPod, type Obj } from './pods.js';
import { cpuSeconds, measure, settle, type Usage } from './proc.js';
import { REPO } from './repo.js';
import { replaceSection } from './report.js';

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}
const ROUNDS = Number(option('rounds', '3'));
const SECONDS = Number(option('seconds', '10'));
const WARMUP = Number(option('warmup', '3'));
const CLIENTS = Number(option('clients', '16'));
const CREATES = Number(option('creates', '2000'));
const log = (m: string): void => void process.stderr.write(`bench-baseline: ${m}\n`);

const ALL = ['none', 'baseline', 'gracekeeper', 'both'] as const;
type Setup = (typeof ALL)[number];
const SETUPS = option('setups', ALL.join(',')).split(',') as Setup[];
const POLICY = option('policy', join(REPO, 'deploy/baseline/policy.yaml'));

interface Window {
  setup: Setup;
  dryRun: boolean;
  count: number;
  errors: number;
  wrong: number;
  elapsedMs: number;
  samples: number[];
  apiCpu: number;
  webhookCpu?: number;
}

interface Row {
  setup: Setup;
  dry_run: boolean;
  calls: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  apiserver_cpu_s_per_1k: number;
  webhook_cpu_s_per_1k: number | null;
}

const policyDocs = (): Obj[] => parseAllDocuments(readFileSync(POLICY, 'utf8')).map((d) => d.toJSON() as Obj);

/** What a dry-run Pod comes back with: the baseline's mark, gracekeeper's record. */
async function seen(cp: ControlPlane): Promise<{ mark: boolean; record: boolean; sleep: boolean }> {
  const r = await cp.api<Obj>('POST', createPath(loadPod(), true), loadPod());
  const text = r.text;
  return {
    mark: text.includes('gracekeeper.io/baseline'),
    record: text.includes('gracekeeper.io/injected'),
    sleep: text.includes('"preStop"'),
  };
}

async function until(cp: ControlPlane, what: string, ok: (s: Awaited<ReturnType<typeof seen>>) => boolean): Promise<void> {
  await waitFor(
    what,
    120_000,
    () => [],
    async () => ok(await seen(cp)),
  );
}

/** Installs a set-up; returns the webhook's pid (if any) and how to take it away again. */
async function install(cp: ControlPlane, setup: Setup): Promise<{ pid?: number; remove: () => Promise<void> }> {
  let gk: Gracekeeper | undefined;
  let mwcName: string | undefined;
  if (setup === 'baseline' || setup === 'both')
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: policyDocs() }) });
  if (setup === 'gracekeeper' || setup === 'both') {
    gk = await startGracekeeper({ cp, name: 'gracekeeper' });
    const mwc = pointWebhookAt(await renderDeploy(cp), gk.url, gk.caPem);
    mwcName = String(mwc.metadata?.name);
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(mwc) });
  }
  // With gracekeeper the mark never reaches the stored object; a dry-run shows the record.
  if (setup === 'none') await until(cp, 'nothing mutating', (s) => !s.sleep);
  if (setup === 'baseline') await until(cp, 'the baseline alone', (s) => s.mark && !s.record);
  if (setup === 'gracekeeper' || setup === 'both') await until(cp, 'gracekeeper mutating', (s) => s.record);
  return {
    pid: gk?.component.pid,
    remove: async () => {
      if (mwcName) await cp.kubectl(['delete', 'mutatingwebhookconfiguration', mwcName, '--wait=true']);
      if (setup === 'baseline' || setup === 'both') {
        const names = policyDocs().map((d) => `${String(d.kind).toLowerCase()}/${String((d.metadata as Obj).name)}`);
        await cp.kubectl(['delete', ...names]);
      }
      await until(cp, 'nothing mutating', (s) => !s.sleep);
      await gk?.stop();
    },
  };
}

async function window(cp: ControlPlane, tls: Tls, setup: Setup, pid: number | undefined, dryRun: boolean): Promise<Window> {
  const apiserver = cp.components.find((c) => c.name === 'kube-apiserver')?.pid as number;
  let api0 = 0;
  let apiCpu = 0;
  let end: (() => Usage) | undefined;
  let usage: Usage | undefined;
  const r = await runLoad({
    server: cp.server,
    tls,
    object: loadPod(),
    clients: CLIENTS,
    dryRun,
    warmupMs: WARMUP * 1000,
    durationMs: SECONDS * 1000,
    maxRequests: dryRun ? 1_000_000 : CREATES,
    expectMutated: setup !== 'none',
    onWindow: (edge) => {
      if (edge === 'open') api0 = cpuSeconds(apiserver);
      else apiCpu = cpuSeconds(apiserver) - api0;
      if (pid === undefined) return;
      if (edge === 'open') end = measure(pid);
      else usage = end?.();
    },
  });
  log(
    `${dryRun ? 'dry-run' : 'create'} ${setup}: ${r.count} calls in ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.errors} errors, ${r.wrongMutation} wrong`,
  );
  return {
    setup,
    dryRun,
    count: r.count,
    errors: r.errors,
    wrong: r.wrongMutation,
    elapsedMs: r.elapsedMs,
    samples: r.samples,
    apiCpu,
    webhookCpu: usage?.cpuSeconds,
  };
}

function merge(ws: Window[]): Row {
  const calls = ws.reduce((n, w) => n + w.count, 0);
  const ok = calls - ws.reduce((n, w) => n + w.errors, 0);
  const sorted = sortedCopy(ws.flatMap((w) => w.samples));
  const hook = ws.every((w) => w.webhookCpu !== undefined) ? ws.reduce((n, w) => n + (w.webhookCpu ?? 0), 0) : undefined;
  return {
    setup: ws[0].setup,
    dry_run: ws[0].dryRun,
    calls,
    errors: calls - ok,
    rps: round(ok / (ws.reduce((n, w) => n + w.elapsedMs, 0) / 1000), 0),
    p50_ms: round(percentile(sorted, 50), 2),
    p99_ms: round(percentile(sorted, 99), 2),
    apiserver_cpu_s_per_1k: round((ws.reduce((n, w) => n + w.apiCpu, 0) / calls) * 1000, 3),
    webhook_cpu_s_per_1k: hook === undefined ? null : round((hook / calls) * 1000, 3),
  };
}

function table(rows: Row[]): string {
  const label: Record<Setup, string> = {
    none: 'none',
    baseline: 'the baseline alone',
    gracekeeper: 'gracekeeper alone',
    both: 'baseline + gracekeeper',
  };
  const none = (dry: boolean) => rows.find((r) => r.setup === 'none' && r.dry_run === dry);
  const lines = [
    '| creations | set-up | creations/s | p50 ms | p99 ms | added p99 ms | kube-apiserver CPU s / 1k | gracekeeper CPU s / 1k |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const base = none(r.dry_run);
    const added = r.setup === 'none' || !base ? '' : (r.p99_ms - base.p99_ms).toFixed(1);
    lines.push(
      `| ${r.dry_run ? 'dry-run' : 'stored'} | ${label[r.setup]} | ${r.rps} | ${r.p50_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ${added} | ` +
        `${r.apiserver_cpu_s_per_1k.toFixed(2)} | ${r.webhook_cpu_s_per_1k === null ? '-' : r.webhook_cpu_s_per_1k.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const cp = await startControlPlane();
  try {
    const tls: Tls = await prepareNamespace(cp);
    const m: Machine = await machine(cp);
    const windows: Window[] = [];
    for (let round = 1; round <= ROUNDS + 1; round++) {
      for (const setup of SETUPS) {
        const inst = await install(cp, setup);
        try {
          if (inst.pid !== undefined) await settle(inst.pid);
          // The last round: stored creations (etcd writes), once per set-up.
          windows.push(await window(cp, tls, setup, inst.pid, round <= ROUNDS));
        } finally {
          await inst.remove();
        }
      }
    }
    const rows = [true, false].flatMap((dry) =>
      SETUPS.map((s) => merge(windows.filter((w) => w.setup === s && w.dryRun === dry))),
    );
    const result = {
      rows,
      machine: m,
      settings: { rounds: ROUNDS, seconds: SECONDS, warmup_seconds: WARMUP, clients: CLIENTS, max_creates: CREATES },
      took_s: Math.round((Date.now() - started) / 1000),
    };
    process.stdout.write(`${table(rows)}\n`);
    if (SETUPS.length !== ALL.length) return;
    writeFileSync(join(REPO, 'bench/baseline.json'), `${JSON.stringify(result, null, 2)}\n`);
    const machineLine =
      `Measured on ${m.cpus} cores (${m.cpu_model}), load average ${m.load_average} at the start, Node ${m.node}, ` +
      `kube-apiserver ${m.kubernetes}; ${CLIENTS} clients; ${ROUNDS} rounds of ${SECONDS} s of dry-run creations per set-up, ` +
      `alternated, then one window of up to ${CREATES} stored creations each; \`make bench-baseline\` took ${Math.round(result.took_s / 60)} min.`;
    const docs = join(REPO, 'docs/baseline.md');
    replaceSection(docs, 'baseline-machine', machineLine);
    replaceSection(docs, 'baseline-cost', table(rows));
  } finally {
    await cp.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-baseline: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
