// bench/peers.json and the table of docs/peers.md: one row per webhook and client count (rounds
// merged), the ratios gracekeeper / Kyverno of what each adds over no webhook.
import { readFileSync, writeFileSync } from 'node:fs';
import { marked, replaceMarked } from '../../scripts/doc-block.js';
import { percentile, round, sortedCopy } from '../stats.js';
import type { Difference } from './compare.js';
import type { WebhookName } from './webhooks.js';

/** One measured window: a webhook, a client count, dry-run or real creates. */
export interface Window {
  webhook: WebhookName;
  clients: number;
  dryRun: boolean;
  round: number;
  count: number;
  errors: number;
  wrongMutation: number;
  firstError?: string;
  elapsedMs: number;
  samples: number[];
  /** The webhook process's CPU seconds and peak RSS (MB) in the window; undefined for "none". */
  cpuSeconds?: number;
  peakRssMb?: number;
  rssAnonMb?: number;
  rssFileMb?: number;
  /** kube-apiserver's CPU seconds in the window. */
  apiserverCpuSeconds?: number;
}

/** A row of peers.json's runs (and creates), in exactly these fields. */
export interface Row {
  webhook: WebhookName;
  clients: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  cpu_s_per_1k: number | null;
  rss_mb: number | null;
}

export interface Detail {
  webhook: WebhookName;
  clients: number;
  dry_run: boolean;
  rounds: number;
  calls: number;
  errors: number;
  wrong_mutation: number;
  max_ms: number;
  /** kube-apiserver's CPU seconds per 1,000 calls: what the webhook costs the API server. */
  apiserver_cpu_s_per_1k: number | null;
  /** The webhook's RSS at the end of the last window: anonymous (heap) and file-backed (its binary) MB. */
  rss_anon_mb: number | null;
  rss_file_mb: number | null;
  first_error?: string;
}

export interface Ratio {
  clients: number;
  /** (gracekeeper p99 - none p99) / (Kyverno p99 - none p99). */
  added_p99: number;
  cpu_per_1k: number;
  rss: number;
}

function merge(ws: Window[]): { row: Row; detail: Detail } {
  const w0 = ws[0];
  const last = ws[ws.length - 1];
  const calls = ws.reduce((n, w) => n + w.count, 0);
  const ok = ws.reduce((n, w) => n + w.count - w.errors, 0);
  const ms = ws.reduce((n, w) => n + w.elapsedMs, 0);
  const sorted = sortedCopy(ws.flatMap((w) => w.samples));
  const cpu = ws.every((w) => w.cpuSeconds !== undefined) ? ws.reduce((n, w) => n + (w.cpuSeconds ?? 0), 0) : undefined;
  const rss = ws.every((w) => w.peakRssMb !== undefined) ? Math.max(...ws.map((w) => w.peakRssMb ?? 0)) : undefined;
  return {
    row: {
      webhook: w0.webhook,
      clients: w0.clients,
      rps: round(ok / (ms / 1000), 0),
      p50_ms: round(percentile(sorted, 50), 2),
      p99_ms: round(percentile(sorted, 99), 2),
      cpu_s_per_1k: cpu === undefined || ok === 0 ? null : round((cpu / ok) * 1000, 3),
      rss_mb: rss === undefined ? null : round(rss, 1),
    },
    detail: {
      webhook: w0.webhook,
      clients: w0.clients,
      dry_run: w0.dryRun,
      rounds: ws.length,
      calls,
      errors: ws.reduce((n, w) => n + w.errors, 0),
      wrong_mutation: ws.reduce((n, w) => n + w.wrongMutation, 0),
      max_ms: round(sorted.length ? sorted[sorted.length - 1] : NaN, 2),
      apiserver_cpu_s_per_1k: ws.every((w) => w.apiserverCpuSeconds !== undefined)
        ? round((ws.reduce((n, w) => n + (w.apiserverCpuSeconds ?? 0), 0) / calls) * 1000, 3)
        : null,
      rss_anon_mb: last.rssAnonMb === undefined ? null : round(last.rssAnonMb, 1),
      rss_file_mb: last.rssFileMb === undefined ? null : round(last.rssFileMb, 1),
      ...(ws.find((w) => w.firstError) ? { first_error: ws.find((w) => w.firstError)?.firstError } : {}),
    },
  };
}

/** Rows in the order webhooks and client counts first appear. */
export function rows(windows: Window[], dryRun: boolean): { rows: Row[]; details: Detail[] } {
  const groups = new Map<string, Window[]>();
  for (const w of windows.filter((x) => x.dryRun === dryRun)) {
    const key = `${w.clients}/${w.webhook}`;
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const merged = [...groups.values()].map(merge);
  merged.sort((x, y) => x.row.clients - y.row.clients);
  return { rows: merged.map((m) => m.row), details: merged.map((m) => m.detail) };
}

export function ratios(runs: Row[]): Ratio[] {
  const out: Ratio[] = [];
  for (const clients of [...new Set(runs.map((r) => r.clients))]) {
    const get = (w: WebhookName): Row | undefined => runs.find((r) => r.clients === clients && r.webhook === w);
    const none = get('none');
    const gk = get('gracekeeper');
    const ky = get('kyverno');
    if (!none || !gk || !ky) continue;
    const div = (a: number | null, b: number | null): number => (a === null || b === null || b === 0 ? NaN : round(a / b, 2));
    out.push({
      clients,
      added_p99: div(gk.p99_ms - none.p99_ms, ky.p99_ms - none.p99_ms),
      cpu_per_1k: div(gk.cpu_s_per_1k, ky.cpu_s_per_1k),
      rss: div(gk.rss_mb, ky.rss_mb),
    });
  }
  return out;
}

const dash = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));

export function table(runs: Row[], details: Detail[]): string {
  const none = (c: number): Row | undefined => runs.find((r) => r.webhook === 'none' && r.clients === c);
  const lines = [
    '| clients | webhook | creations/s | p50 ms | p99 ms | max ms | added p99 ms | CPU s / 1k | peak RSS MB |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  runs.forEach((r, i) => {
    const base = none(r.clients);
    const added = r.webhook === 'none' || !base ? '' : (r.p99_ms - base.p99_ms).toFixed(1);
    lines.push(
      `| ${r.clients} | ${r.webhook} | ${r.rps} | ${r.p50_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ` +
        `${details[i].max_ms.toFixed(0)} | ${added} | ${dash(r.cpu_s_per_1k, 3)} | ${dash(r.rss_mb, 0)} |`,
    );
  });
  return lines.join('\n');
}

export function differencesTable(found: { case: string; what: string; differences: Difference[] }[]): string {
  const lines = ['| Pod | what | field | gracekeeper | Kyverno policy |', '| --- | --- | --- | --- | --- |'];
  const cell = (s: string | undefined): string => {
    if (s === undefined) return '(absent)';
    if (s.includes('\\"version\\":1')) return 'the record `gracekeeper.io/injected`';
    return `\`${s.replace(/\|/g, '\\|')}\``;
  };
  for (const f of found) {
    if (f.differences.length === 0) lines.push(`| ${f.case} | ${f.what} | (none: the same object) | | |`);
    for (const d of f.differences) lines.push(`| ${f.case} | ${f.what} | \`${d.path}\` | ${cell(d.a)} | ${cell(d.b)} |`);
  }
  return lines.join('\n');
}

/** Replaces what stands between `<!-- name:begin -->` and `<!-- name:end -->` in a Markdown file. */
export function replaceSection(path: string, name: string, body: string): void {
  const [begin, end] = [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`];
  const next = replaceMarked(readFileSync(path, 'utf8'), begin, end, marked(begin, body.trim(), end));
  if (next === undefined) throw new Error(`${path} has no ${begin} ... ${end} section`);
  writeFileSync(path, next);
}
