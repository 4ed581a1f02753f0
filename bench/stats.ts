// Percentiles, the rows of results.json, the gracekeeper/baseline ratios and the table.

export type ServerName = 'gracekeeper' | 'baseline';

/** One row of results.json's runs: a server on a payload at a concurrency, rounds merged. */
export interface Run {
  server: ServerName;
  payload: string;
  concurrency: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  p999_ms: number;
  rss_mb: number;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function sortedCopy(samples: readonly number[]): Float64Array {
  return Float64Array.from(samples).sort();
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values: readonly number[]): number {
  return percentile(sortedCopy(values), 50);
}

/** Several rounds of one cell into one row: rps summed over time, latencies from all samples, peak RSS. */
export function mergeRounds(
  key: Pick<Run, 'server' | 'payload' | 'concurrency'>,
  rounds: readonly { count: number; elapsedMs: number; samples: readonly number[]; rssMb: number }[],
): Run {
  const count = rounds.reduce((n, r) => n + r.count, 0);
  const ms = rounds.reduce((n, r) => n + r.elapsedMs, 0);
  const sorted = sortedCopy(rounds.flatMap((r) => r.samples));
  return {
    ...key,
    rps: round(count / (ms / 1000), 0),
    p50_ms: round(percentile(sorted, 50), 3),
    p99_ms: round(percentile(sorted, 99), 3),
    p999_ms: round(percentile(sorted, 99.9), 3),
    rss_mb: round(Math.max(...rounds.map((r) => r.rssMb)), 1),
  };
}

export interface Ratio {
  payload: string;
  concurrency: number;
  /** gracekeeper rps / baseline rps (target >= 0.85 on pod and deployment at 16). */
  rps: number;
  /** gracekeeper p99 / baseline p99 (target <= 2). */
  p99: number;
}

export function ratios(runs: readonly Run[]): Ratio[] {
  const out: Ratio[] = [];
  for (const gk of runs.filter((r) => r.server === 'gracekeeper')) {
    const base = runs.find((r) => r.server === 'baseline' && r.payload === gk.payload && r.concurrency === gk.concurrency);
    if (!base) continue;
    out.push({
      payload: gk.payload,
      concurrency: gk.concurrency,
      rps: round(gk.rps / base.rps, 2),
      p99: round(gk.p99_ms / base.p99_ms, 2),
    });
  }
  return out;
}

/** A Markdown table (it reads as plain text too): one line per run, ratios on gracekeeper's lines. */
export function table(runs: readonly Run[]): string {
  const ratioOf = ratios(runs);
  const lines = [
    '| payload | conc | server | rps | p50 ms | p99 ms | p99.9 ms | peak RSS MB | rps / baseline | p99 / baseline |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of runs) {
    const ratio =
      r.server === 'gracekeeper' ? ratioOf.find((x) => x.payload === r.payload && x.concurrency === r.concurrency) : undefined;
    lines.push(
      `| ${r.payload} | ${r.concurrency} | ${r.server} | ${r.rps} | ${r.p50_ms.toFixed(2)} | ${r.p99_ms.toFixed(2)} | ` +
        `${r.p999_ms.toFixed(2)} | ${r.rss_mb.toFixed(0)} | ${ratio ? ratio.rps.toFixed(2) : ''} | ${ratio ? ratio.p99.toFixed(2) : ''} |`,
    );
  }
  return lines.join('\n');
}
