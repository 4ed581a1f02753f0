// `make rollout-proof`: does a pod going away drop requests, without gracekeeper and with it?
//
// On a real cluster built on this machine (test/e2e/cluster.ts's control plane plus
// test/rollout/node.ts's kubelet, containerd, kube-proxy and kube-scheduler; a second node,
// linked to the first, when the eviction scenario runs), gracekeeper serves on loopback behind
// deploy/'s MutatingWebhookConfiguration with its shipped (default) settings. Each scenario
// (scenarios/*.ts: rolling update, scale-in, eviction, a slow external path, keep-alive clients)
// runs the same test app in one namespace per arm, steady load through the traffic path, the
// disruption, every failed request counted by type (run.ts). Writes bench/rollout.json (merged
// with the scenarios it did not run), the results block of docs/rollout-proof.md, and prints a
// table. Exit status: 0 done, 2 bad arguments, 3 this machine cannot host a node.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startControlPlane, type ControlPlane } from '../e2e/cluster.js';
import { metricSample, type Gracekeeper } from '../e2e/gracekeeper.js';
import { installGracekeeper, startNodes } from './cluster-up.js';
import { updateDocs } from './docs-table.js';
import { REPO, loadAverage } from './harness.js';
import { NODE_CPU_SHARES, nodePrerequisiteProblem, type Node } from './node.js';
import { parseProofArgs, type ProofOptions } from './options.js';
import {
  formatSweep,
  formatTable,
  summarize,
  summarizeArm,
  type ProofSummary,
  type RunRecord,
  type SweepSummary,
} from './report.js';
import { runScenario } from './run.js';
import type { Cluster, Scenario, ScenarioName } from './scenario.js';
import { eviction } from './scenarios/eviction.js';
import { keepAlive } from './scenarios/keep-alive.js';
import { rollingUpdate } from './scenarios/rolling-update.js';
import { scaleIn } from './scenarios/scale-in.js';
import { slowPath } from './scenarios/slow-path.js';

const BY_NAME: Record<ScenarioName, Scenario> = {
  'rolling-update': rollingUpdate,
  'scale-in': scaleIn,
  eviction,
  'slow-path': slowPath,
  'keep-alive': keepAlive,
};
const DEFAULT_OUT = 'bench/rollout.json';
const DOCS = 'docs/rollout-proof.md';

const log = (m: string): void => {
  process.stderr.write(`rollout-proof ${new Date().toISOString().slice(11, 19)} ${m}\n`);
};

function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

function previousSummary(path: string): Partial<ProofSummary> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProofSummary>;
    return parsed.scenarios ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  let o: ProofOptions;
  try {
    o = parseProofArgs(argv);
  } catch (err) {
    process.stderr.write(`rollout-proof: ${(err as Error).message}\n`);
    return 2;
  }
  const problem = nodePrerequisiteProblem();
  if (problem) {
    process.stderr.write(`rollout-proof: blocked: this machine cannot host a node: ${problem}\n`);
    return 3;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'gk-rollout-proof-'));
  let cp: ControlPlane | undefined;
  let nodes: Node[] = [];
  let gk: Gracekeeper | undefined;
  const t0 = Date.now();
  const loadBefore = loadAverage();
  try {
    log(`scenarios ${o.scenarios.join(', ')}; ${o.runs} runs per arm; load averages ${loadBefore.join(', ')}`);
    cp = await startControlPlane({ keepDir: o.keep });
    log(`control plane up (${cp.server}); starting ${o.nodes} node(s)`);
    nodes = await startNodes(cp, { nodes: o.nodes, minSyncPeriod: o.minSyncPeriod, keep: o.keep }, workDir, log);
    const installed = await installGracekeeper(cp, log);
    gk = installed.gk;
    const withSettings = { ...installed.defaults };
    for (const [k, v] of Object.entries(o.withAnnotations)) withSettings[k.replace(/^gracekeeper\.io\//, '')] = v;
    const metricsPort = gk.metricsPort;
    const trafficObjects = async (resource: string): Promise<number> =>
      (await metricSample(metricsPort, `gracekeeper_traffic_objects{resource="${resource}"}`)) || 0;
    const cluster: Cluster = { cp, nodes, workDir, o, log, withSettings, trafficObjects };
    const records: RunRecord[] = [];
    const scenarioConditions: Partial<Record<ScenarioName, Record<string, unknown>>> = {};
    for (const name of o.scenarios) {
      log(`scenario ${name}`);
      const r = await runScenario(cluster, BY_NAME[name], { arms: o.arms, runs: o.runs, withAnnotations: o.withAnnotations });
      records.push(...r.records);
      scenarioConditions[name] = {
        ...r.conditions,
        kubeProxyMinSyncPeriod: o.minSyncPeriod,
        namespaceAnnotations: o.withAnnotations,
      };
    }
    // The sweep: the slow path again, with gracekeeper and each fixed sleep, one namespace each.
    let sweep: SweepSummary | undefined;
    if (o.sweep.length > 0 && o.scenarios.includes('slow-path')) {
      sweep = { lbDelayS: o.lbDelayS, bySleep: {} };
      for (const sleepS of o.sweep) {
        const value = `${sleepS}s`;
        log(`slow-path sweep: pre-stop-sleep ${value}`);
        const r = await runScenario({ ...cluster, withSettings: { ...withSettings, 'pre-stop-sleep': value } }, slowPath, {
          arms: ['with'],
          runs: o.runs,
          withAnnotations: { ...o.withAnnotations, 'gracekeeper.io/pre-stop-sleep': value },
          nsSuffix: `-sleep-${sleepS}`,
        });
        const podSpec = (r.conditions.podSpec as Record<string, unknown> | undefined)?.with;
        sweep.bySleep[String(sleepS)] = { ...summarizeArm(r.records), ...(podSpec ? { podSpec } : {}) };
      }
    }
    const conditions = {
      date: new Date(t0).toISOString(),
      durationS: Math.round((Date.now() - t0) / 1000),
      scenariosRun: o.scenarios,
      loadAverage: {
        before: loadBefore,
        after: loadAverage(),
        note: 'uptime 1/5/15-minute load averages; the machine is shared',
      },
      machine: { cpus: cpus().length, kernel: release(), cgroup: 'v1 (cgroupfs driver)' },
      nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, podCidr: n.podCidr })),
      kubernetes: versionOf(cp.binaries.kubelet, ['--version']),
      containerd: versionOf('containerd', ['--version']),
      runc: versionOf('runc', ['--version']),
      kubeProxy: { mode: 'iptables', minSyncPeriod: o.minSyncPeriod, syncPeriod: '30s' },
      cni: 'bridge + host-local (Debian containernetworking-plugins)',
      nodeCgroupCpuShares: NODE_CPU_SHARES,
      load: { rate: o.rate, timeoutMs: o.timeoutMs, warmupMs: o.warmupMs, runsPerArm: o.runs, retries: 'none' },
      slowPathDelayS: o.lbDelayS,
      ...(o.sweep.length ? { sweepSleepsS: o.sweep } : {}),
      gracekeeper: {
        settings: 'deploy/base/config.yaml as shipped (the defaults)',
        defaults: installed.defaults,
        namespaceAnnotations: o.withAnnotations,
      },
    };
    const out = resolve(REPO, o.out);
    const summary = summarize(records, conditions, scenarioConditions, previousSummary(out));
    if (sweep) summary.sweep = sweep;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
    const docs = o.out === DEFAULT_OUT && (await updateDocs(resolve(REPO, DOCS), summary));
    const thisRun = { scenarios: Object.fromEntries(o.scenarios.map((n) => [n, summary.scenarios[n]])) };
    process.stdout.write(`\n${formatTable(thisRun)}\n\nwritten to ${o.out}${docs ? ` and ${DOCS}` : ''}\n`);
    if (sweep) {
      const auto = summary.scenarios['slow-path']?.with;
      const spec = (
        scenarioConditions['slow-path']?.podSpec as
          Record<string, { lifecycle?: { preStop?: { sleep?: { seconds?: number } } } }> | undefined
      )?.with;
      process.stdout.write(
        `\nslow-path sweep, D = ${sweep.lbDelayS} s:\n${formatSweep(sweep, auto, spec?.lifecycle?.preStop?.sleep?.seconds)}\n`,
      );
    }
    log(`done in ${conditions.durationS} s; load averages ${conditions.loadAverage.after.join(', ')}`);
    return 0;
  } finally {
    await gk?.stop().catch(() => {});
    for (const n of nodes) await n.stop().catch((e: unknown) => log(`node stop: ${(e as Error).message}`));
    await cp?.stop().catch(() => {});
    if (!o.keep) execFileSync('rm', ['-rf', workDir]);
    else log(`kept ${workDir}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`rollout-proof: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
