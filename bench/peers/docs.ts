// The tables of docs/peers.md, from a run's result (bench/peers.json), each between its
// <!-- name:begin --> and <!-- name:end --> markers.
import { join } from 'node:path';
import type { Difference } from './compare.js';
import type { Machine } from './machine.js';
import { REPO } from './repo.js';
import { differencesTable, replaceSection, table, type Detail, type Ratio, type Row } from './report.js';

export interface Result {
  runs: Row[];
  creates: Row[];
  details: Detail[];
  ratios: Ratio[];
  differences: { case: string; what: string; differences: Difference[] }[];
  machine: Machine;
  settings: { rounds: number; seconds: number; warmup_seconds: number; clients: number[]; max_creates: number };
  took_s: number;
}

function machineLine(r: Result): string {
  const m = r.machine;
  return (
    `Measured on ${m.cpus} cores (${m.cpu_model}), load average ${m.load_average} at the start, Node ${m.node}, ` +
    `${m.go}, kube-apiserver ${m.kubernetes}, Kyverno ${m.kyverno}; ${r.settings.rounds} rounds of ${r.settings.seconds} s per ` +
    `webhook and client count, alternated; \`make bench-peers\` took ${Math.round(r.took_s / 60)} min with the binaries cached.`
  );
}

function ratioLines(rs: Ratio[]): string {
  const lines = [
    '| clients | added p99: gracekeeper / Kyverno | CPU per 1k: gracekeeper / Kyverno | peak RSS: gracekeeper / Kyverno |',
  ];
  lines.push('| ---: | ---: | ---: | ---: |');
  for (const r of rs)
    lines.push(`| ${r.clients} | ${r.added_p99.toFixed(2)} | ${r.cpu_per_1k.toFixed(2)} | ${r.rss.toFixed(2)} |`);
  return lines.join('\n');
}

/** What each run cost the API server, and what the webhook's resident memory was made of. */
function costsTable(details: Detail[]): string {
  const n = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
  const lines = [
    '| clients | webhook | calls | kube-apiserver CPU s / 1k | webhook RSS: anonymous MB | webhook RSS: file-backed MB |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const d of details) {
    const label = d.dry_run ? `${d.clients}` : `${d.clients}, real creates`;
    lines.push(
      `| ${label} | ${d.webhook} | ${d.calls} | ${n(d.apiserver_cpu_s_per_1k, 2)} | ${n(d.rss_anon_mb, 0)} | ${n(d.rss_file_mb, 0)} |`,
    );
  }
  return lines.join('\n');
}

/** Rewrites the generated sections of docs/peers.md; returns its path. */
export function writeDocs(r: Result): string {
  const docs = join(REPO, 'docs/peers.md');
  const dry = r.details.filter((d) => d.dry_run);
  const real = r.details.filter((d) => !d.dry_run);
  replaceSection(docs, 'peers-machine', machineLine(r));
  replaceSection(docs, 'peers-table', table(r.runs, dry));
  replaceSection(docs, 'peers-creates', table(r.creates, real));
  replaceSection(docs, 'peers-ratios', ratioLines(r.ratios));
  replaceSection(docs, 'peers-costs', costsTable(r.details));
  replaceSection(docs, 'peers-differences', differencesTable(r.differences));
  return docs;
}
