// The results block of docs/scale.md, rewritten by `make bench-scale` from what it just measured.
import { updateMarked } from '../../scripts/doc-block.js';

export const BEGIN = '<!-- scale:results (written by make bench-scale) -->';
export const END = '<!-- /scale:results -->';

interface Side {
  outcomes_synced_ms_median?: number;
  ready_ms_median: number;
  ready_ms_max: number;
  rss_mb_ready_median: number;
  rss_mb_peak_max: number;
  p50_ms_median: number;
  p99_ms_median: number;
  rps_median: number;
}

export interface ScaleResults {
  date: string;
  machine: { cpu: string; cores: number; memory_gb: number; node: string; kernel: string };
  method: { fill: Record<string, number>; rounds: number; concurrency: number; durationMs: number };
  empty: Side;
  full: Side;
  full_outcomes_off?: Side;
  p99_ratio_outcomes_on_to_off?: number;
  p99_ratio_full_to_empty: number;
  p99_ratios_by_round: number[];
  met: { ready: boolean; rss: boolean; p99: boolean };
}

export function resultsBlock(r: ScaleResults): string {
  const fill = Object.entries(r.method.fill)
    .map(([kind, n]) => `${n} ${kind.endsWith('s') ? `${kind}es` : `${kind}s`}`)
    .join(', ');
  const row = (name: string, s: Side) =>
    `| ${name} | ${s.ready_ms_median} (max ${s.ready_ms_max}) | ${s.rss_mb_ready_median} | ${s.rss_mb_peak_max} | ` +
    `${s.p50_ms_median} | ${s.p99_ms_median} | ${s.rps_median} |`;
  const yes = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return [
    BEGIN,
    '| cluster | ready ms, median | RSS MB ready | RSS MB peak | p50 ms | p99 ms | admissions/s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('empty', r.empty),
    row(fill, r.full),
    ...(r.full_outcomes_off ? [row('the same, `--outcomes=off`', r.full_outcomes_off)] : []),
    '',
    ...(r.full_outcomes_off
      ? [
          `Outcomes: the Pod stream listed ${r.full.outcomes_synced_ms_median} ms after start (median; readiness does not wait for it, the RSS figures are taken after it); p99 with/without outcomes: ${r.p99_ratio_outcomes_on_to_off}.`,
          '',
        ]
      : []),
    `p99 full/empty: ${r.p99_ratio_full_to_empty} (median of the rounds' ratios ${r.p99_ratios_by_round.join(', ')}). Targets: ready within 10 s ${yes(r.met.ready)}, RSS under 200 MB ` +
      `${yes(r.met.rss)}, p99 within 10% of the empty run ${yes(r.met.p99)}.`,
    '',
    `${r.method.rounds} rounds, each on both clusters back to back (a fresh gracekeeper each time); admissions at concurrency ${r.method.concurrency} for ` +
      `${r.method.durationMs / 1000} s a round. Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gb} GB, ` +
      `Node.js ${r.machine.node}, Linux ${r.machine.kernel}; run of ${r.date} (bench/scale.json).`,
    END,
  ].join('\n');
}

/** Replaces the block between the markers; false when the file has none. */
export function updateDoc(path: string, results: ScaleResults): Promise<boolean> {
  return updateMarked(path, BEGIN, END, resultsBlock(results));
}
