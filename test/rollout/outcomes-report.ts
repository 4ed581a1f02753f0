// The outcomes proof's table (outcomes-proof.ts), written into docs/outcomes.md between its markers.

export interface AppResult {
  app: string;
  pod: string;
  /** The finding the app is built to give. */
  expected: string;
  /** gracekeeper logged it for the app's pod. */
  logged: boolean;
  /** gracekeeper_pod_outcomes_total{outcome=expected} of the namespace at the end. */
  metric: number;
  /** What the delay is measured from, and the delay to the log line, in seconds. */
  from: string;
  seconds: number | undefined;
  /** Findings logged for the pod that the app did not do (false reports). */
  false: string[];
  /** Every finding logged for the pod. */
  all: string[];
  /** `gracekeeper audit`'s outcomes of the Deployment, and its fix. */
  audit?: string;
  auditFix?: string;
  /** kubectl's warnings at the Deployment's next UPDATE. */
  warning?: string;
}

const cell = (s: string | undefined): string => (s && s.length > 0 ? s.replace(/\|/g, '\\|') : '-');

export function formatOutcomes(
  results: AppResult[],
  c: { date: string; durationS: number; loadAverage: { before: number[]; after: number[] } },
): string {
  const rows = results.map((r) =>
    [
      r.app,
      `\`${r.expected}\``,
      r.logged ? 'yes' : '**no**',
      String(r.metric),
      r.seconds === undefined ? '-' : `${r.seconds} s after the ${r.from}`,
      r.all.map((o) => `\`${o}\``).join(', ') || '-',
      r.false.length ? `**${r.false.join(', ')}**` : 'none',
      cell(r.audit),
      cell(r.warning),
    ].join(' | '),
  );
  return [
    '| app | built to give | logged | metric | reported | every finding for its pod | false | `gracekeeper audit` | warning at the next UPDATE |',
    '| --- | --- | --- | ---: | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    `Run of ${c.date.slice(0, 16).replace('T', ' ')} UTC, ${c.durationS} s, on one real node (kubelet, containerd, runc);` +
      ` load averages ${c.loadAverage.before.join(', ')} before, ${c.loadAverage.after.join(', ')} after.` +
      ' "metric" is `gracekeeper_pod_outcomes_total` of the namespace for that outcome at the end of the run.',
  ].join('\n');
}
