// docs/performance.md's results block, rewritten by `make bench` from the results it just wrote,
// so the table there is always the latest run and names the machine and the Node.js it ran on.
import { updateMarked } from '../scripts/doc-block.js';
import type { BenchResults } from './harness.js';
import { table } from './stats.js';

export const BEGIN = '<!-- bench:results (written by make bench) -->';
export const END = '<!-- /bench:results -->';

export function summary(
  results: Pick<BenchResults, 'date' | 'machine' | 'cold_start_ms' | 'soak' | 'with_kube_client'> &
    Partial<Pick<BenchResults, 'rounds'>>,
): string[] {
  const m = results.machine;
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, Linux ${m.kernel}; gracekeeper and the baseline on Node.js ${m.node}, ` +
      `the load generator on ${m.load_generator_node}; run of ${results.date}` +
      (m.load_average
        ? `; load average ${m.load_average.start.join(' ')} at the start, ${m.load_average.end.join(' ')} at the end.`
        : '.'),
  ];
  const cold = Object.entries(results.cold_start_ms).map(
    ([server, c]) => `${server} ${c.median} ms (median of ${c.samples} starts, ${c.min} to ${c.max})`,
  );
  if (cold.length > 0) lines.push(`Cold start, from spawning the process to the first answered admission: ${cold.join('; ')}.`);
  const shed = new Map<string, number[]>();
  for (const r of results.rounds ?? []) {
    if (!r.shed) continue;
    const key = `${r.payload} at concurrency ${r.concurrency}`;
    shed.set(key, [...(shed.get(key) ?? []), r.shed]);
  }
  if (shed.size > 0) {
    const rows = [...shed].map(([key, counts]) => `${key}: ${counts.join(' and ')}`);
    lines.push(
      `Shed by gracekeeper's memory budget for large reviews (429 with Retry-After, as designed: [failure-modes.md](failure-modes.md)), ` +
        `not counted in throughput or latency; the load generator waits 1 s before its next request: ${rows.join('; ')}.`,
    );
  }
  const s = results.soak;
  if (s) {
    lines.push(
      `Soak: ${s.admissions} admissions (${s.payloads.join(' and ')} alternately, concurrency ${s.concurrency}) in ${s.seconds} s, ` +
        `${s.errors} errors; gracekeeper's RSS after them ${s.rss_mb_after} MB, peak ${s.rss_mb_peak} MB.`,
    );
  }
  const k = results.with_kube_client;
  if (k) {
    lines.push(
      `With the Kubernetes client loaded (as in a cluster, where it watches Namespaces): RSS ${k.rss_mb_idle} MB idle, ` +
        `${k.rss_mb_after} MB after ${k.admissions} admissions.`,
    );
  }
  return lines;
}

export function resultsBlock(results: BenchResults): string {
  return [BEGIN, table(results.runs), '', ...summary(results).flatMap((l) => [l, '']), END]
    .join('\n')
    .replace(/\n\n<!-- \//, '\n<!-- /');
}

/** Replaces the block between the markers; false when the file has none. */
export function updateDoc(path: string, results: BenchResults): Promise<boolean> {
  return updateMarked(path, BEGIN, END, resultsBlock(results));
}
