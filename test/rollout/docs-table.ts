// The results block of docs/rollout-proof.md, rewritten by `make rollout-proof` from the summary
// it just wrote to bench/rollout.json: one table with every scenario and arm, then each
// scenario's exact conditions, so the page always shows the numbers of the file.
import { updateMarked } from '../../scripts/doc-block.js';
import { FAILURE_TYPES } from './loadgen.js';
import { disruptionMs, meanTook, seconds, type ArmSummary, type ProofSummary } from './report.js';
import { ARMS, SCENARIOS, type Arm } from './scenario.js';

export const BEGIN = '<!-- rollout:results (written by make rollout-proof) -->';
export const END = '<!-- /rollout:results -->';

const ARM_NAME: Record<Arm, string> = {
  without: 'without gracekeeper',
  with: 'gracekeeper defaults',
  auto: 'gracekeeper, `pre-stop-sleep: auto`',
};

const n = (x: number): string => x.toLocaleString('en-US');

/** 27.2%, 0.013%, 0% */
export function percent(part: number, whole: number): string {
  if (part === 0 || whole === 0) return '0%';
  const p = (100 * part) / whole;
  return `${p >= 1 ? p.toFixed(1) : p.toPrecision(2)}%`;
}

function armRow(scenario: string, arm: Arm, s: ArmSummary): string {
  const perRun = s.runs.map((r) => n(r.failed)).join(', ');
  const before = s.runs.map((r) => n(r.failedBeforeDisruption ?? 0)).join(', ');
  const took = s.runs.map((r) => seconds(disruptionMs(r.events))).join(', ');
  return (
    `| ${scenario} | ${ARM_NAME[arm]} | ${n(s.requests)} | **${n(s.failed)}** (${percent(s.failed, s.requests)}) | ${perRun} | ` +
    `**${seconds(meanTook(s))}** | ${took} | ` +
    `${before} | ${FAILURE_TYPES.map((t) => n(s.byType[t])).join(' | ')} |`
  );
}

/** "preStop sleep 5 s, TCP readiness probe every 5 s, grace period 30 s" from a stored pod spec. */
export function podSpecWords(spec: Record<string, unknown> | undefined): string {
  if (!spec) return 'unknown';
  const pre = (spec.lifecycle as { preStop?: { sleep?: { seconds?: number }; exec?: unknown } } | null)?.preStop;
  const probe = spec.readinessProbe as {
    periodSeconds?: number;
    failureThreshold?: number;
    tcpSocket?: unknown;
    httpGet?: unknown;
  } | null;
  const parts = [
    (pre?.sleep ? `preStop sleep ${pre.sleep.seconds} s` : pre?.exec ? 'preStop exec' : 'no preStop') +
      (typeof spec.sleepBy === 'string' ? ` (sized by ${spec.sleepBy})` : ''),
    probe
      ? `${probe.httpGet ? 'HTTP' : probe.tcpSocket ? 'TCP' : ''} readiness probe every ${probe.periodSeconds} s (failure threshold ${probe.failureThreshold})`
      : 'no readiness probe',
    `terminationGracePeriodSeconds ${String(spec.terminationGracePeriodSeconds)}`,
  ];
  return parts.join(', ');
}

export function resultsBlock(summary: ProofSummary): string {
  const lines = [
    BEGIN,
    `| Scenario | Arm | Requests | Failed | Failed per run | Took (s, mean) | Took per run (s) | Of which before the disruption | ${FAILURE_TYPES.join(' | ').replace('http5xx', '5xx')} |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ${FAILURE_TYPES.map(() => '---:').join(' | ')} |`,
  ];
  const conditions: string[] = [];
  for (const name of SCENARIOS) {
    const s = summary.scenarios[name];
    if (!s) continue;
    const c = summary.conditions.scenarios?.[name] ?? {};
    const notRun = (c.notRun ?? {}) as Partial<Record<Arm, string>>;
    for (const arm of ARMS) {
      const a = s[arm];
      if (a) lines.push(armRow(name, arm, a));
      else if (notRun[arm])
        lines.push(`| ${name} | ${ARM_NAME[arm]} | | not run (below) | | | | | ${FAILURE_TYPES.map(() => '').join(' | ')} |`);
    }
    const la = c.loadAverage as { before?: number[]; after?: number[] } | undefined;
    const spec = (c.podSpec ?? {}) as Record<string, Record<string, unknown>>;
    const date = typeof c.date === 'string' ? c.date.slice(0, 16).replace('T', ' ') : '';
    conditions.push(
      `- **${name}** (${date} UTC, ${String(c.runsPerArm)} runs per arm, ` +
        `${String(c.durationS)} s; machine load averages ${la?.before?.join(', ')} before, ${la?.after?.join(', ')} after). ` +
        `Disruption: ${String(c.disruption)}. App: ${String(c.app)}. Path: ${String(c.path)}. Load: ${String(c.load)}. ` +
        `Pods with gracekeeper: ${podSpecWords(spec.with)}` +
        (spec.auto ? `; with \`auto\`: ${podSpecWords(spec.auto)}` : '') +
        '.' +
        Object.entries(notRun)
          .map(([arm, why]) => ` Arm \`${arm}\` not run: ${why}.`)
          .join(''),
    );
  }
  return [...lines, '', ...conditions, END].join('\n');
}

/** Replaces the block between the markers; false when the file has none. */
export function updateDocs(path: string, summary: ProofSummary): Promise<boolean> {
  return updateMarked(path, BEGIN, END, resultsBlock(summary));
}
