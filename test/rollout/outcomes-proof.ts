// `make outcomes-proof`: gracekeeper's outcomes (docs/outcomes.md) on a real kubelet. The rollout
// proof's cluster (node.ts: kubelet, containerd, runc, kube-proxy; gracekeeper from deploy/ on
// loopback), one opted-in namespace, the four apps of outcomes-apps.ts. The pods of clean,
// ignores-term and hook-fails are deleted once running; never-ready's pod is left to run past the
// bound (5 min). For each: is it reported, through the metric, the log line, `gracekeeper audit`
// and the warning at the workload's next UPDATE, how long after the event, and is any app reported
// for what it did not do. Writes bench/outcomes.json and the results block of docs/outcomes.md.
// Exit status: 0 every app reported as expected and none falsely, 1 otherwise, 3 no node here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { updateMarked } from '../../scripts/doc-block.js';
import { startControlPlane, type ControlPlane } from '../e2e/cluster.js';
import type { Gracekeeper, LogLine } from '../e2e/gracekeeper.js';
import { installGracekeeper, startNodes } from './cluster-up.js';
import { REPO, loadAverage, sleep } from './harness.js';
import { nodePrerequisiteProblem, type Node } from './node.js';
import { APPS, EXPECTED, outcomeApps, type AppName } from './outcomes-apps.js';
import { formatOutcomes, type AppResult } from './outcomes-report.js';

const NS = 'outcomes-proof';
const DEADLINE_MS = 9 * 60_000;
const log = (m: string): void => void process.stderr.write(`outcomes-proof ${new Date().toISOString().slice(11, 19)} ${m}\n`);

type Obj = Record<string, any>;

async function podOf(cp: ControlPlane, app: AppName): Promise<Obj | undefined> {
  const res = await cp.api<{ items: Obj[] }>('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`);
  return res.body.items.find((p) => !p.metadata.deletionTimestamp);
}

const started = (p: Obj | undefined): number | undefined => {
  const at = p?.status?.containerStatuses?.[0]?.state?.running?.startedAt as string | undefined;
  return at ? Date.parse(at) : undefined;
};

/** gracekeeper_pod_outcomes_total of the namespace, by outcome. */
async function counts(gk: Gracekeeper): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${gk.metricsPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('gracekeeper_pod_outcomes_total{') || !line.includes(`pod_namespace="${NS}"`)) continue;
    const outcome = /outcome="([^"]+)"/.exec(line)?.[1];
    if (outcome) out[outcome] = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

const findings = (gk: Gracekeeper): LogLine[] => gk.logLines().filter((l) => l.msg === 'pod outcome' && l.namespace === NS);
const logTime = (l: LogLine): number => Date.parse(String(l.time));

/** When the kubelet recorded `reason` for `pod` (the event's own time). */
async function eventTime(cp: ControlPlane, pod: string, reason: string): Promise<number | undefined> {
  const sel = encodeURIComponent(`involvedObject.name=${pod},reason=${reason}`);
  const res = await cp.api<{ items: Obj[] }>('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=${sel}`);
  const e = res.body.items[0];
  const at = (e?.eventTime ?? e?.firstTimestamp ?? e?.lastTimestamp) as string | undefined;
  return at ? Date.parse(at) : undefined;
}

async function prove(cp: ControlPlane, gk: Gracekeeper): Promise<AppResult[]> {
  await cp.kubectl(['create', 'namespace', NS]);
  await cp.kubectl(['label', 'namespace', NS, 'gracekeeper.io/inject=enabled']);
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(outcomeApps(NS)) });
  const first: Partial<Record<AppName, Obj>> = {};
  for (const app of APPS) {
    for (let t = Date.now(); !started(first[app]); await sleep(1000)) {
      if (Date.now() - t > 180_000) throw new Error(`${app}: no running pod after 180 s`);
      first[app] = await podOf(cp, app);
    }
    log(`${app}: pod ${first[app]?.metadata.name} running`);
  }
  // gracekeeper's probe passes on clean and hook-fails (httpd on :8080 after 3 s); then the deletions.
  await sleep(15_000);
  const deleted: Partial<Record<AppName, { at: number; deadline: number }>> = {};
  for (const app of ['clean', 'ignores-term', 'hook-fails'] as const) {
    const name = first[app]?.metadata.name as string;
    const at = Date.now();
    await cp.kubectl(['-n', NS, 'delete', 'pod', name, '--wait=false']);
    const p = (await cp.api<Obj>('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).body;
    deleted[app] = { at, deadline: Date.parse(p.metadata?.deletionTimestamp ?? new Date(at).toISOString()) };
    log(`${app}: pod ${name} deleted (grace period ${p.metadata?.deletionGracePeriodSeconds} s)`);
  }
  const want = (app: AppName) => ({ pod: first[app]?.metadata.name as string, outcome: EXPECTED[app].finding });
  const seen = (app: AppName) => findings(gk).find((l) => l.pod === want(app).pod && l.outcome === want(app).outcome);
  for (const t0 = Date.now(); APPS.some((a) => !seen(a)) && Date.now() - t0 < DEADLINE_MS;) await sleep(2000);

  const results: AppResult[] = [];
  const metric = await counts(gk);
  for (const app of APPS) {
    const line = seen(app);
    const pod = want(app).pod;
    let from: { what: string; at: number | undefined };
    if (app === 'clean') from = { what: 'deletion', at: deleted.clean?.at };
    else if (app === 'ignores-term') from = { what: 'end of the grace period (SIGKILL)', at: deleted['ignores-term']?.deadline };
    else if (app === 'hook-fails') from = { what: 'FailedPreStopHook event', at: await eventTime(cp, pod, 'FailedPreStopHook') };
    else from = { what: 'start + 5 min bound', at: (started(first['never-ready']) ?? 0) + 300_000 };
    const mine = findings(gk).filter((l) => l.pod === pod);
    results.push({
      app,
      pod,
      expected: EXPECTED[app].finding,
      logged: line !== undefined,
      metric: metric[EXPECTED[app].finding] ?? 0,
      from: from.what,
      seconds: line && from.at ? Math.round((logTime(line) - from.at) / 100) / 10 : undefined,
      false: mine.filter((l) => EXPECTED[app].never.includes(String(l.outcome))).map((l) => String(l.outcome)),
      all: [...new Set(mine.map((l) => String(l.outcome)))],
    });
  }
  // gracekeeper audit, and the warning of each workload's next UPDATE.
  const audit = execFileSync(
    process.execPath,
    [join(REPO, 'dist/cli.js'), 'audit', '--kubeconfig', cp.kubeconfigPath, '-n', NS, '-o', 'json'],
    { encoding: 'utf8' },
  );
  const items = (JSON.parse(audit) as { items: Obj[] }).items;
  for (const r of results) {
    const item = items.find((i) => i.kind === 'Deployment' && i.name === r.app);
    r.audit = item?.outcomes ? `${String(item.outcomes.shutdowns)}; probe ${String(item.outcomes.probe)}` : '-';
    r.auditFix = item?.outcomes?.fix as string | undefined;
    const update = await cp.kubectl(['-n', NS, 'annotate', `deployment/${r.app}`, 'proof/touched=yes', '--overwrite']);
    r.warning = update.stderr
      .split('\n')
      .filter((l) => l.startsWith('Warning:'))
      .join(' / ');
  }
  return results;
}

async function main(): Promise<number> {
  const problem = nodePrerequisiteProblem();
  if (problem) {
    process.stderr.write(`outcomes-proof: blocked: this machine cannot host a node: ${problem}\n`);
    return 3;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'gk-outcomes-proof-'));
  let cp: ControlPlane | undefined;
  let nodes: Node[] = [];
  let gk: Gracekeeper | undefined;
  const loadBefore = loadAverage();
  const t0 = Date.now();
  try {
    cp = await startControlPlane({});
    nodes = await startNodes(cp, { nodes: 1, minSyncPeriod: '1s', keep: false }, workDir, log);
    gk = (await installGracekeeper(cp, log, ['--log-level=debug'])).gk;
    const results = await prove(cp, gk);
    const conditions = {
      date: new Date(t0).toISOString(),
      durationS: Math.round((Date.now() - t0) / 1000),
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
    const out = resolve(REPO, 'bench/outcomes.json');
    mkdirSync(resolve(REPO, 'bench'), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ conditions, results }, null, 2)}\n`);
    const table = formatOutcomes(results, conditions);
    await updateMarked(
      resolve(REPO, 'docs/outcomes.md'),
      '<!-- outcomes-proof:results -->',
      '<!-- /outcomes-proof:results -->',
      table,
    );
    process.stdout.write(`${table}\n`);
    const ok = results.every((r) => r.logged && r.metric > 0 && r.false.length === 0);
    log(`done in ${conditions.durationS} s: ${ok ? 'every app reported as expected, none falsely' : 'NOT as expected'}`);
    return ok ? 0 : 1;
  } finally {
    await gk?.stop().catch(() => {});
    for (const n of nodes) await n.stop().catch((e: unknown) => log(`node stop: ${(e as Error).message}`));
    await cp?.stop().catch(() => {});
    execFileSync('rm', ['-rf', workDir]);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`outcomes-proof: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
