// The pure parts of the rolling-update proof: its command line, the summary written to
// bench/rollout.json, and the table printed at the end. No cluster, no root: the smoke test in
// test/rollout/report.test.ts covers all of it.
import { parseArgs } from 'node:util';
import { FAILURE_TYPES, parseDurationMs, type FailureEvent, type FailureType, type LoadResult } from './loadgen.js';

export const MODES = ['without', 'with'] as const;
export type Mode = (typeof MODES)[number];

export interface ProofOptions {
  runs: number;
  rate: number;
  restarts: number;
  replicas: number;
  timeoutMs: number;
  /** Load before the first restart. */
  warmupMs: number;
  modes: Mode[];
  out: string;
  /** kube-proxy's iptables.minSyncPeriod. */
  minSyncPeriod: string;
  /** gracekeeper.io/* annotations on the opted-in namespace (default: none, the shipped defaults). */
  withAnnotations: Record<string, string>;
  keep: boolean;
}

export function parseProofArgs(argv: string[]): ProofOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      runs: { type: 'string' },
      rate: { type: 'string' },
      restarts: { type: 'string' },
      replicas: { type: 'string' },
      timeout: { type: 'string' },
      warmup: { type: 'string' },
      modes: { type: 'string' },
      out: { type: 'string' },
      'min-sync-period': { type: 'string' },
      'with-annotation': { type: 'string', multiple: true },
      keep: { type: 'boolean' },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
  const int = (name: string, v: string | undefined, dflt: number, min: number, max: number): number => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${v}`);
    return n;
  };
  const modes = (values.modes ?? 'without,with').split(',').map((m) => m.trim());
  for (const m of modes) {
    if (!(MODES as readonly string[]).includes(m)) throw new Error(`--modes: unknown mode ${JSON.stringify(m)} (without, with)`);
  }
  const minSync = values['min-sync-period'] ?? '3s';
  parseDurationMs(minSync);
  const withAnnotations: Record<string, string> = {};
  for (const kv of values['with-annotation'] ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--with-annotation wants KEY=VALUE, got ${JSON.stringify(kv)}`);
    const key = kv.slice(0, i).trim();
    withAnnotations[key.includes('/') ? key : `gracekeeper.io/${key}`] = kv.slice(i + 1).trim();
  }
  return {
    runs: int('runs', values.runs, 3, 1, 20),
    rate: int('rate', values.rate, 200, 1, 5000),
    restarts: int('restarts', values.restarts, 2, 1, 10),
    replicas: int('replicas', values.replicas, 3, 1, 20),
    timeoutMs: parseDurationMs(values.timeout ?? '3s'),
    warmupMs: parseDurationMs(values.warmup ?? '5s'),
    modes: [...new Set(modes)] as Mode[],
    out: values.out ?? 'bench/rollout.json',
    minSyncPeriod: minSync,
    withAnnotations,
    keep: values.keep ?? false,
  };
}

/** A moment of the experiment, in milliseconds since the load generator's first request. */
export interface RunEvent {
  t: number;
  what: string;
}

export interface RunRecord {
  mode: Mode;
  run: number;
  load: LoadResult;
  events: RunEvent[];
  /** Conntrack entries for the Service IP left by earlier runs, dropped before this one. */
  conntrackFlushed?: { total: number; synSent: number };
}

export interface FailureWindow {
  /** Milliseconds since the first request: first and last failed request of the window. */
  from: number;
  to: number;
  count: number;
  byType: Partial<Record<FailureType, number>>;
}

/** Failures grouped into windows: a gap of more than `gapMs` without a failure starts a new one. */
export function failureWindows(failures: FailureEvent[], gapMs = 1000): FailureWindow[] {
  const out: FailureWindow[] = [];
  for (const f of [...failures].sort((a, b) => a.t - b.t)) {
    const last = out.at(-1);
    if (last && f.t - last.to <= gapMs) {
      last.to = f.t;
      last.count++;
      last.byType[f.type] = (last.byType[f.type] ?? 0) + 1;
    } else {
      out.push({ from: f.t, to: f.t, count: 1, byType: { [f.type]: 1 } });
    }
  }
  return out;
}

export interface ModeSummary {
  requests: number;
  failed: number;
  byType: Record<FailureType, number>;
  otherCodes: Record<string, number>;
  runs: (Pick<
    LoadResult,
    'requests' | 'failed' | 'byType' | 'otherCodes' | 'durationMs' | 'achievedRate' | 'skipped' | 'latencyMs'
  > & {
    run: number;
    events: RunEvent[];
    failureWindows: FailureWindow[];
    conntrackFlushed?: { total: number; synSent: number };
  })[];
}

/** bench/rollout.json: `without` and `with`, each with `requests` and `failed` first. */
export function summarize(records: RunRecord[], conditions: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const mode of MODES) {
    const mine = records.filter((r) => r.mode === mode).sort((a, b) => a.run - b.run);
    if (mine.length === 0) continue;
    const byType = Object.fromEntries(FAILURE_TYPES.map((t) => [t, 0])) as Record<FailureType, number>;
    const otherCodes: Record<string, number> = {};
    for (const r of mine) {
      for (const t of FAILURE_TYPES) byType[t] += r.load.byType[t];
      for (const [k, v] of Object.entries(r.load.otherCodes)) otherCodes[k] = (otherCodes[k] ?? 0) + v;
    }
    const summary: ModeSummary = {
      requests: mine.reduce((n, r) => n + r.load.requests, 0),
      failed: mine.reduce((n, r) => n + r.load.failed, 0),
      byType,
      otherCodes,
      runs: mine.map((r) => ({
        run: r.run,
        requests: r.load.requests,
        failed: r.load.failed,
        byType: r.load.byType,
        otherCodes: r.load.otherCodes,
        durationMs: r.load.durationMs,
        achievedRate: r.load.achievedRate,
        skipped: r.load.skipped,
        latencyMs: r.load.latencyMs,
        events: r.events,
        failureWindows: failureWindows(r.load.failures),
        ...(r.conntrackFlushed ? { conntrackFlushed: r.conntrackFlushed } : {}),
      })),
    };
    out[mode] = summary;
  }
  out.conditions = conditions;
  return out;
}

/** The table printed at the end of `make rollout-proof`. */
export function formatTable(summary: Record<string, unknown>): string {
  const head = ['', 'run', 'requests', 'failed', ...FAILURE_TYPES];
  const rows: string[][] = [head];
  for (const mode of MODES) {
    const s = summary[mode] as ModeSummary | undefined;
    if (!s) continue;
    for (const r of s.runs) {
      rows.push([mode, String(r.run), String(r.requests), String(r.failed), ...FAILURE_TYPES.map((t) => String(r.byType[t]))]);
    }
    rows.push([mode, 'total', String(s.requests), String(s.failed), ...FAILURE_TYPES.map((t) => String(s.byType[t]))]);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
