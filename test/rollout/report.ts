// The pure parts of `make rollout-proof`'s output: bench/rollout.json from the runs' records
// (merged with the file's earlier scenarios, so that a run of some scenarios keeps the others),
// and the table printed at the end. No cluster, no root: rollout.test.ts covers all of it.
import { FAILURE_TYPES, type FailureEvent, type FailureType, type LoadResult } from './loadgen.js';
import { ARMS, SCENARIOS, type Arm, type ScenarioName } from './scenario.js';

/** A moment of the experiment, in milliseconds since the load generator's first request. */
export interface RunEvent {
  t: number;
  what: string;
}

export interface RunRecord {
  scenario: ScenarioName;
  arm: Arm;
  run: number;
  load: LoadResult;
  events: RunEvent[];
  /** Conntrack entries for the Service IP left by earlier runs, dropped before this one. */
  conntrackFlushed?: { total: number; synSent: number };
  /** What the traffic path outside the cluster saw (the emulated load balancer). */
  path?: Record<string, unknown>;
  /** The machine's 1/5/15-minute load averages when the run started. */
  loadAverage?: number[];
}

export interface FailureWindow {
  /** Milliseconds since the first request: first and last failed request of the window. */
  from: number;
  to: number;
  count: number;
  byType: Partial<Record<FailureType, number>>;
  /** Failures on reused keep-alive connections. */
  reused?: number;
}

/** Failures grouped into windows: a gap of more than `gapMs` without a failure starts a new one. */
export function failureWindows(failures: FailureEvent[], gapMs = 1000): FailureWindow[] {
  const out: FailureWindow[] = [];
  for (const f of [...failures].sort((a, b) => a.t - b.t)) {
    let w = out.at(-1);
    if (w && f.t - w.to <= gapMs) {
      w.to = f.t;
      w.count++;
      w.byType[f.type] = (w.byType[f.type] ?? 0) + 1;
    } else {
      w = { from: f.t, to: f.t, count: 1, byType: { [f.type]: 1 } };
      out.push(w);
    }
    if (f.reused) w.reused = (w.reused ?? 0) + 1;
  }
  return out;
}

/**
 * What the disruption cost in time: from its first step (the first event that is not a pod's) to
 * the namespace settled again (every old pod gone, the new ones ready), in milliseconds; undefined
 * when the run lacks either event.
 */
export function disruptionMs(events: readonly RunEvent[]): number | undefined {
  const start = events.find((e) => !e.what.startsWith('pod '));
  const end = events.find((e) => e.what === 'settled');
  return start && end && end.t >= start.t ? end.t - start.t : undefined;
}

type RunFields = 'requests' | 'failed' | 'byType' | 'otherCodes' | 'durationMs' | 'achievedRate' | 'skipped' | 'latencyMs';

export interface ArmSummary {
  requests: number;
  failed: number;
  byType: Record<FailureType, number>;
  otherCodes: Record<string, number>;
  runs: (Pick<LoadResult, RunFields> &
    Partial<Pick<LoadResult, 'connections' | 'failedOnReused'>> & {
      run: number;
      /** Failed during the warm-up, before the disruption began: the noise floor of the run. */
      failedBeforeDisruption: number;
      /** disruptionMs of the run: how long the rollout or drain took, until the namespace settled. */
      tookMs?: number;
      loadAverage?: number[];
      events: RunEvent[];
      failureWindows: FailureWindow[];
      conntrackFlushed?: { total: number; synSent: number };
      path?: Record<string, unknown>;
    })[];
}

export type ScenarioSummary = Partial<Record<Arm, ArmSummary>>;

/** The slow path run with fixed sleeps (`--sweep`): D, and one arm per sleep (seconds as the key). */
export interface SweepSummary {
  lbDelayS: number;
  bySleep: Record<string, ArmSummary & { podSpec?: unknown }>;
}

export interface ProofSummary {
  without?: ArmSummary;
  with?: ArmSummary;
  scenarios: Partial<Record<ScenarioName, ScenarioSummary>>;
  sweep?: SweepSummary;
  conditions: Record<string, unknown> & { scenarios?: Partial<Record<ScenarioName, Record<string, unknown>>> };
}

export function summarizeArm(mine: RunRecord[]): ArmSummary {
  const byType = Object.fromEntries(FAILURE_TYPES.map((t) => [t, 0])) as Record<FailureType, number>;
  const otherCodes: Record<string, number> = {};
  for (const r of mine) {
    for (const t of FAILURE_TYPES) byType[t] += r.load.byType[t];
    for (const [k, v] of Object.entries(r.load.otherCodes)) otherCodes[k] = (otherCodes[k] ?? 0) + v;
  }
  return {
    requests: mine.reduce((n, r) => n + r.load.requests, 0),
    failed: mine.reduce((n, r) => n + r.load.failed, 0),
    byType,
    otherCodes,
    runs: mine.map((r) => ({
      run: r.run,
      requests: r.load.requests,
      failed: r.load.failed,
      failedBeforeDisruption: r.load.failures.filter(
        (f) => f.t < (r.events.find((e) => !e.what.startsWith('pod '))?.t ?? Infinity),
      ).length,
      ...(disruptionMs(r.events) !== undefined ? { tookMs: disruptionMs(r.events) } : {}),
      ...(r.loadAverage ? { loadAverage: r.loadAverage } : {}),
      byType: r.load.byType,
      otherCodes: r.load.otherCodes,
      durationMs: r.load.durationMs,
      achievedRate: r.load.achievedRate,
      skipped: r.load.skipped,
      connections: r.load.connections,
      failedOnReused: r.load.failedOnReused,
      latencyMs: r.load.latencyMs,
      events: r.events,
      failureWindows: failureWindows(r.load.failures),
      ...(r.conntrackFlushed ? { conntrackFlushed: r.conntrackFlushed } : {}),
      ...(r.path ? { path: r.path } : {}),
    })),
  };
}

/**
 * bench/rollout.json: `scenarios: {NAME: {without, with, auto?}}`, each arm with `requests`,
 * `failed` and `byType` first; the rolling update's arms also at the top as `without` and `with`.
 * Scenarios of `previous` (the file as it was) that did not run now are kept, with their
 * conditions; `scenarioConditions` are this invocation's.
 */
export function summarize(
  records: RunRecord[],
  conditions: Record<string, unknown>,
  scenarioConditions: Partial<Record<ScenarioName, Record<string, unknown>>>,
  previous?: Partial<ProofSummary>,
): ProofSummary {
  const scenarios: ProofSummary['scenarios'] = {};
  const perScenario: Partial<Record<ScenarioName, Record<string, unknown>>> = {};
  for (const name of SCENARIOS) {
    const mine = records.filter((r) => r.scenario === name);
    if (mine.length === 0 && !scenarioConditions[name]) {
      const kept = previous?.scenarios?.[name];
      if (kept) {
        scenarios[name] = kept;
        const c = previous?.conditions?.scenarios?.[name];
        if (c) perScenario[name] = c;
      }
      continue;
    }
    const s: ScenarioSummary = {};
    for (const arm of ARMS) {
      const runs = mine.filter((r) => r.arm === arm).sort((a, b) => a.run - b.run);
      if (runs.length) s[arm] = summarizeArm(runs);
    }
    scenarios[name] = s;
    if (scenarioConditions[name]) perScenario[name] = scenarioConditions[name];
  }
  const rolling = scenarios['rolling-update'];
  return {
    ...(rolling?.without ? { without: rolling.without } : {}),
    ...(rolling?.with ? { with: rolling.with } : {}),
    scenarios,
    conditions: { ...conditions, scenarios: perScenario },
  };
}

/** Seconds with one decimal, or a dash. */
export function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : (ms / 1000).toFixed(1);
}

/** The mean of an arm's runs' disruptionMs; undefined when no run has one. */
export function meanTook(s: Pick<ArmSummary, 'runs'>): number | undefined {
  const took = s.runs.map((r) => disruptionMs(r.events)).filter((t): t is number => t !== undefined);
  return took.length ? took.reduce((a, b) => a + b, 0) / took.length : undefined;
}

/** The table printed at the end of `make rollout-proof`: every scenario, arm and run. */
export function formatTable(summary: Pick<ProofSummary, 'scenarios'>): string {
  const head = ['scenario', 'arm', 'run', 'took s', 'requests', 'failed', ...FAILURE_TYPES];
  const rows: string[][] = [head];
  const counts = (x: { requests: number; failed: number; byType: Record<FailureType, number> }): string[] => [
    String(x.requests),
    String(x.failed),
    ...FAILURE_TYPES.map((t) => String(x.byType[t])),
  ];
  for (const name of SCENARIOS) {
    for (const arm of ARMS) {
      const s = summary.scenarios[name]?.[arm];
      if (!s) continue;
      for (const r of s.runs) rows.push([name, arm, String(r.run), seconds(disruptionMs(r.events)), ...counts(r)]);
      rows.push([name, arm, 'total', seconds(meanTook(s)), ...counts(s)]);
    }
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Failures a sleep of `sleepS` can be blamed for: those in windows that began once the first old
 * pod's sleep had ended (its deletion + the sleep). Earlier ones came while every old pod still
 * served: the machine's noise, not the sleep.
 */
export function failedAfterSleep(run: Pick<ArmSummary['runs'][number], 'events' | 'failureWindows'>, sleepS: number): number {
  const deleted = run.events.find((e) => e.what.startsWith('pod deleted'));
  if (!deleted) return run.failureWindows.reduce((n, w) => n + w.count, 0);
  const from = deleted.t + sleepS * 1000;
  return run.failureWindows.filter((w) => w.from >= from).reduce((n, w) => n + w.count, 0);
}

/** The sweep's lines: sleep, failed of requests per run, and what each run took. */
export function formatSweep(sweep: SweepSummary, autoArm?: ArmSummary, autoSleepS?: number): string {
  const rows = [['sleep', 'requests', 'failed', 'failed per run', 'after a sleep ended', 'took s (mean)', 'took per run']];
  const line = (label: string, a: ArmSummary, sleepS: number | undefined): string[] => [
    label,
    String(a.requests),
    String(a.failed),
    a.runs.map((r) => String(r.failed)).join(', '),
    sleepS === undefined ? '-' : a.runs.map((r) => String(failedAfterSleep(r, sleepS))).join(', '),
    seconds(meanTook(a)),
    a.runs.map((r) => seconds(disruptionMs(r.events))).join(', '),
  ];
  for (const [sleep, a] of Object.entries(sweep.bySleep).sort((x, y) => Number(x[0]) - Number(y[0])))
    rows.push(line(`${sleep}s`, a, Number(sleep)));
  if (autoArm) rows.push(line(`auto${autoSleepS === undefined ? '' : ` (${autoSleepS}s)`}`, autoArm, autoSleepS));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
