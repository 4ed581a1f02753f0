// The audit's two outputs: a kubectl-style table (columns aligned with three spaces, as kubectl
// prints them) and a JSON document, {"items": [...], "summary": {...}}, whose shape docs/audit.md
// describes; and the summary both carry.
import { formatDuration } from '../settings/duration.js';
import { STATUSES, type AuditItem, type AuditStatus } from './classify.js';

export const COLUMNS = ['NAMESPACE', 'KIND', 'NAME', 'OPTED-IN', 'STATUS', 'LACKS', 'TRAFFIC', 'SLEEP'] as const;

/** A value this long or longer is cut in the table (the JSON output holds it whole). */
const MAX_CELL = 80;

export interface AuditSummary {
  total: number;
  /** Items by status; every status is present, 0 when none. */
  byStatus: Record<AuditStatus, number>;
  namespaces: number;
  /** Gateway API kinds (their resources) not installed in the cluster, so not read. */
  absentKinds: string[];
}

export interface AuditReport {
  items: AuditItem[];
  summary: AuditSummary;
}

const KIND_ORDER = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'CronJob', 'Job', 'Pod'];

/** Items in a stable order: namespace, then kind (workloads before Pods), then name. */
export function sortItems(items: readonly AuditItem[]): AuditItem[] {
  return [...items].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      a.name.localeCompare(b.name),
  );
}

export function buildReport(items: readonly AuditItem[], namespaces: number, absentKinds: readonly string[]): AuditReport {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<AuditStatus, number>;
  for (const item of items) byStatus[item.status] += 1;
  return {
    items: sortItems(items),
    summary: { total: items.length, byStatus, namespaces, absentKinds: [...absentKinds].sort() },
  };
}

/** A change tag as the table shows it: "preStop:app" as is, a value's "field:from->to" as the field. */
export function lackLabel(tag: string): string {
  if (tag.startsWith('terminationGracePeriodSeconds:')) return 'gracePeriod';
  if (tag.startsWith('minReadySeconds:')) return 'minReadySeconds';
  return tag;
}

/** The LACKS cell: what the engine would change, then how many warnings it gave ("-" for neither). */
export function lacksCell(item: AuditItem): string {
  const parts = [...new Set(item.lacks.map(lackLabel))];
  if (item.denial) parts.push('invalid annotations');
  if (item.traffic.paths.some((p) => p.readinessGate && !p.readinessGate.inUse)) parts.push('LB readiness gate');
  const n = item.warnings.length;
  if (n > 0) parts.push(`${n} warning${n === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(',') : '-';
}

function cut(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

export function tableRow(item: AuditItem): string[] {
  const traffic = item.traffic.paths.length > 0 ? item.traffic.decidedBy : '-';
  return [
    item.namespace,
    item.kind,
    item.name,
    item.optedIn ? 'yes' : 'no',
    item.status,
    lacksCell(item),
    traffic,
    formatDuration(item.traffic.seconds),
  ].map(cut);
}

export const OUTCOME_COLUMNS = ['NAMESPACE', 'KIND', 'NAME', 'SHUTDOWNS', 'PROBE', 'FIX'] as const;

/** Aligned columns; the last column is not padded. An empty report prints kubectl's message. */
export function formatTable(report: AuditReport, scope: string): string {
  if (report.items.length === 0) return `No workloads found in ${scope}.\n`;
  const seen = report.items.filter((i) => i.outcomes);
  const outcomes =
    seen.length === 0
      ? ''
      : `\nRecent pods (what the API server still holds: pods, and kubelet events of the last hour):\n${aligned([
          [...OUTCOME_COLUMNS],
          ...seen.map((i) => [
            i.namespace,
            i.kind,
            i.name,
            i.outcomes?.shutdowns ?? '-',
            i.outcomes?.probe ?? '-',
            i.outcomes?.fix ?? '-',
          ]),
        ])}`;
  return aligned([[...COLUMNS], ...report.items.map(tableRow)]) + outcomes;
}

function aligned(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

export function formatJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
