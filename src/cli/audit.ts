// `gracekeeper audit`: a read-only report over a live cluster. Reads it (src/audit/collect.ts),
// runs the engine over every workload and bare Pod (src/audit/classify.ts), prints a table or
// JSON (src/audit/report.ts), and exits 3 when --fail-on finds what it names.
import { classify, type AuditItem } from '../audit/classify.js';
import type { WorkloadRef } from '../engine/outcomes/types.js';
import { auditOutcomes } from '../audit/outcomes.js';
import { outcomeFix, probeSummary, shutdownSummary } from '../engine/outcomes/advice.js';
import { readCluster, type ClusterView } from '../audit/collect.js';
import { buildReport, formatJson, formatTable } from '../audit/report.js';
import type { ClusterFacts } from '../engine/input.js';
import { loadClientKubeConfig } from '../cluster/kubeconfig.js';
import { jsonGetter, printable } from '../cluster/raw-get.js';
import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings } from '../settings/cluster-settings.js';
import { UsageError } from './args.js';
import { readSettingsFile } from './settings-file.js';
import { AUDIT_USAGE, exitStatus, parseAuditArgs, type AuditOptions } from './audit-args.js';
import type { CommandIO } from './mutate.js';

export { AUDIT_USAGE };

/** The whole audit ends within this, whatever the API server does (each request within 30 s). */
export const AUDIT_DEADLINE_MS = 10 * 60_000;

/** A report safe for a terminal: names and values come from the server; only newlines are kept. */
function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, ' ');
}

/** JSON with C1 controls escaped too (JSON.stringify escapes only C0): still the same JSON. */
function jsonSafe(text: string): string {
  return text.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Runs the command; returns the exit status (0, 3 for --fail-on, 2 bad arguments, 1 cluster errors). */
export async function runAudit(argv: string[], io: Pick<CommandIO, 'stdout' | 'stderr'>): Promise<number> {
  let options: AuditOptions;
  let cluster: ClusterSettings = DEFAULT_CLUSTER_SETTINGS;
  let config;
  try {
    options = parseAuditArgs(argv);
    if (options.help) {
      io.stdout(`${AUDIT_USAGE}\n`);
      return 0;
    }
    if (options.config) cluster = readSettingsFile(options.config.path, `${options.config.flag} ${options.config.path}`);
    config = loadClientKubeConfig(options.kubeconfig, options.context);
  } catch (err) {
    io.stderr(`gracekeeper audit: ${firstLine(err)}\n${err instanceof UsageError ? `${AUDIT_USAGE}\n` : ''}`);
    return 2;
  }
  const namespace = options.allNamespaces
    ? undefined
    : (options.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? 'default');
  let view: ClusterView;
  let items: AuditItem[];
  try {
    view = await readCluster(jsonGetter(config, { deadline: Date.now() + AUDIT_DEADLINE_MS }), namespace, cluster);
    items = auditAll(view, cluster);
  } catch (err) {
    io.stderr(`gracekeeper audit: ${firstLine(err)}\n`);
    return 1;
  }
  const report = buildReport(items, view.namespaces.size, view.absent);
  io.stdout(
    options.output === 'json'
      ? jsonSafe(formatJson(report))
      : terminalSafe(formatTable(report, namespace === undefined ? 'any namespace' : `namespace ${namespace}`)),
  );
  return exitStatus(
    report.items.map((i) => i.status),
    options.failOn,
  );
}

/** Every workload of the view through the engine, each with its namespace's facts and traffic paths. */
export function auditAll(view: ClusterView, cluster: ClusterSettings, nowMs = Date.now()): AuditItem[] {
  const byNamespace = new Map<string, WorkloadRef[]>();
  for (const { gvk, object } of view.workloads) {
    const meta = (object.metadata ?? {}) as { namespace?: string; name?: string };
    const list = byNamespace.get(meta.namespace ?? '') ?? [];
    list.push({ kind: gvk.kind, name: meta.name ?? '' });
    byNamespace.set(meta.namespace ?? '', list);
  }
  const outcomes = auditOutcomes(view.pods ?? [], view.podEvents ?? [], nowMs, byNamespace);
  const facts = viewFacts(view);
  return view.workloads.map(({ gvk, object }) => {
    const meta = (object.metadata ?? {}) as { namespace?: string; name?: string };
    const ns = meta.namespace ?? '';
    const seen = outcomes(ns, { kind: gvk.kind, name: meta.name ?? '' });
    const item = classify(gvk, object, { facts, cluster });
    if (!seen) return item;
    const { workload: _workload, ...counts } = seen;
    return {
      ...item,
      outcomes: { ...counts, shutdowns: shutdownSummary(seen), probe: probeSummary(seen), fix: outcomeFix(seen) },
    };
  });
}

/**
 * The cluster as the audit read it, as the engine's input builder asks it. Outcomes are left out:
 * the audit reports them beside the engine's answer, not as the UPDATE warning the webhook gives.
 */
function viewFacts(view: ClusterView): ClusterFacts {
  return {
    namespace: (name) => view.namespaces.get(name),
    kubeVersion: () => view.kubeVersion,
    traffic: (namespace, labels, governing) => view.traffic.facts(namespace, labels, governing),
  };
}

/** An error's message on one line, never a stack trace. */
function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return printable((message.split('\n')[0] ?? '').slice(0, 500));
}
