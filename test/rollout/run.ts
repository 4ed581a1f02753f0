// Runs one scenario of `make rollout-proof`: a namespace per arm (`<scenario>-<arm>`, labelled
// gracekeeper.io/inject=enabled but for `without`), the scenario's setup in each, then `runs`
// rounds that alternate between the arms. One run: the namespace has settled, kube-proxy has
// synced (4 s), conntrack entries for the Service are dropped (so that no run inherits another's
// connections to dead pods), steady load starts, after the warm-up the scenario's disruption,
// then until the namespace has settled again and the scenario's tail has passed; every failed
// request counted by type. The namespaces are deleted at the end.
import { join } from 'node:path';
import { flushConntrack, loadAverage, sleep, startLoad, waitSettled, watchPods } from './harness.js';
import type { RunEvent, RunRecord } from './report.js';
import type { Arm, ArmSetup, Cluster, Scenario } from './scenario.js';

export interface ScenarioRun {
  records: RunRecord[];
  conditions: Record<string, unknown>;
}

export interface RunOptions {
  arms: readonly Arm[];
  runs: number;
  /** gracekeeper.io/* annotations on the namespaces with gracekeeper. */
  withAnnotations: Record<string, string>;
  /** Appended to the namespaces' names (`<scenario>-<arm><suffix>`): a sweep's arms. */
  nsSuffix?: string;
}

async function runOnce(c: Cluster, s: Scenario, arm: Arm, ns: string, setup: ArmSetup, run: number): Promise<RunRecord> {
  const replicas = s.replicas(c.o);
  await waitSettled(c.cp, ns, replicas);
  await sleep(4000); // kube-proxy has synced the settled endpoints (minSyncPeriod 3 s)
  const load0 = loadAverage();
  const conntrackFlushed = setup.conntrackIp ? await flushConntrack(c.nodes[0], setup.conntrackIp) : undefined;
  const load = startLoad(
    c.nodes[0],
    [...setup.loadArgs, `--rate=${c.o.rate}`, `--timeout=${c.o.timeoutMs}ms`, '--expect-body=ok'],
    join(c.workDir, `load-${ns}-${run}.json`),
  );
  await load.started;
  const watch = watchPods(c.cp, ns);
  const t0 = Date.now();
  const events: RunEvent[] = [];
  const at = (what: string): void => {
    events.push({ t: Date.now() - t0, what });
  };
  try {
    await sleep(c.o.warmupMs);
    await s.disrupt(c, arm, ns, run, at);
    await waitSettled(c.cp, ns, replicas);
    at('settled');
    await sleep(typeof s.tailMs === 'function' ? s.tailMs(c.o) : (s.tailMs ?? 4000));
  } catch (err) {
    await load.stop().catch(() => {});
    await watch.stop();
    throw err;
  }
  at('load stopped');
  const result = await load.stop();
  // Re-base the events on the load generator's first request; the pods' own (from the API
  // server's timestamps, whole seconds) among them, those before the first request left out.
  const shift = t0 - result.startedAt;
  const podEvents = (await watch.stop()).map((e) => ({ t: e.t - result.startedAt, what: e.what })).filter((e) => e.t >= 0);
  const path = setup.collect?.(result.startedAt, result.startedAt + result.durationMs);
  return {
    scenario: s.name,
    arm,
    run,
    load: result,
    events: [...events.map((e) => ({ t: e.t + shift, what: e.what })), ...podEvents].sort((a, b) => a.t - b.t),
    loadAverage: load0,
    ...(conntrackFlushed ? { conntrackFlushed } : {}),
    ...(path ? { path } : {}),
  };
}

export async function runScenario(c: Cluster, s: Scenario, o: RunOptions): Promise<ScenarioRun> {
  const started = Date.now();
  const before = loadAverage();
  const arms = s.arms.filter((a) => o.arms.includes(a));
  const setups = new Map<Arm, ArmSetup>();
  const pending: Record<string, string> = {};
  const podSpec: Record<string, unknown> = {};
  const records: RunRecord[] = [];
  const nsOf = (arm: Arm): string => `${s.name}-${arm}${o.nsSuffix ?? ''}`;
  try {
    for (const arm of arms) {
      const ns = nsOf(arm);
      await c.cp.kubectl(['create', 'namespace', ns]);
      if (arm !== 'without') {
        await c.cp.kubectl(['label', 'namespace', ns, 'gracekeeper.io/inject=enabled']);
        const annotations = Object.entries(o.withAnnotations).map(([k, v]) => `${k}=${v}`);
        if (annotations.length) await c.cp.kubectl(['annotate', 'namespace', ns, ...annotations]);
      }
      const setup = await s.setup(c, arm, ns);
      if (typeof setup === 'string') {
        pending[arm] = setup;
        c.log(`${ns}: not run: ${setup}`);
        continue;
      }
      setups.set(arm, setup);
      podSpec[arm] = setup.podSpec;
      c.log(`${ns}: ready; pod spec: ${JSON.stringify(setup.podSpec)}`);
    }
    for (let run = 1; run <= o.runs; run++) {
      for (const [arm, setup] of setups) {
        c.log(`${s.name} run ${run}/${o.runs} ${arm}: ${c.o.rate} req/s`);
        const rec = await runOnce(c, s, arm, nsOf(arm), setup, run);
        records.push(rec);
        const l = rec.load;
        c.log(
          `${s.name} run ${run} ${arm}: ${l.requests} requests, ${l.failed} failed ${JSON.stringify(l.byType)}` +
            ` (load averages ${rec.loadAverage?.join(', ')})` +
            `${Object.keys(l.otherCodes).length ? ` other: ${JSON.stringify(l.otherCodes)}` : ''}` +
            `${rec.path ? ` path: ${JSON.stringify(rec.path)}` : ''}`,
        );
      }
    }
  } finally {
    for (const setup of setups.values()) await setup.stop?.().catch(() => {});
    for (const arm of arms) await c.cp.kubectl(['delete', 'namespace', nsOf(arm), '--wait=false'], { allowFailure: true });
  }
  return {
    records,
    conditions: {
      ...s.describe(c.o),
      date: new Date(started).toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      runsPerArm: o.runs,
      loadAverage: { before, after: loadAverage() },
      podSpec,
      ...(Object.keys(pending).length ? { notRun: pending } : {}),
    },
  };
}
