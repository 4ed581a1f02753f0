// What a workload's recent outcomes call for: one kubectl warning at its next UPDATE per problem,
// and the one-line fix `gracekeeper audit` prints, each naming the annotation to set. Pure.
import type { WorkloadRef } from './types.js';

/** How a workload's pods stopped and started recently (counts of pods, from the edge's bounded memory). */
export interface WorkloadOutcomes {
  workload: WorkloadRef;
  clean: number;
  killed: number;
  hookFailed: number;
  neverReady: number;
  readyPassed: number;
}

export function emptyOutcomes(workload: WorkloadRef): WorkloadOutcomes {
  return { workload, clean: 0, killed: 0, hookFailed: 0, neverReady: 0, readyPassed: 0 };
}

const pods = (n: number) => `${n} recent pod${n === 1 ? '' : 's'}`;

/** Whether gracekeeper's probe never passed on this workload's recent pods (none of them became Ready under it). */
export function probeNeverPassed(o: WorkloadOutcomes): boolean {
  return o.neverReady > 0 && o.readyPassed === 0;
}

/** The warnings for an UPDATE of the workload (empty when all went well). Each under 120 characters. */
export function outcomeWarnings(o: WorkloadOutcomes): string[] {
  const out: string[] = [];
  if (o.killed > 0)
    out.push(`${pods(o.killed)} killed at the grace period's end (exit 137): set gracekeeper.io/drain-timeout longer`);
  if (o.hookFailed > 0)
    out.push(`preStop hook failed on ${pods(o.hookFailed)}: set gracekeeper.io/pre-stop-mode: sleep, or fix the hook`);
  if (probeNeverPassed(o))
    out.push(
      `gracekeeper's readiness probe never passed on ${pods(o.neverReady)}: set gracekeeper.io/readiness: none or readiness-port`,
    );
  return out;
}

/** The audit's one-line fix: the most pressing problem's annotation, or "-" when there is none. */
export function outcomeFix(o: WorkloadOutcomes): string {
  if (probeNeverPassed(o)) return 'gracekeeper.io/readiness: none (or readiness-port: the port it serves)';
  if (o.killed > 0) return 'gracekeeper.io/drain-timeout: longer than the app takes to finish after SIGTERM';
  if (o.hookFailed > 0) return 'gracekeeper.io/pre-stop-mode: sleep (an exec hook needs a shell in the image)';
  return '-';
}

/** The audit's SHUTDOWNS cell: "3 clean, 1 killed, 1 hook failed", or "-" when none seen. */
export function shutdownSummary(o: WorkloadOutcomes): string {
  const parts: string[] = [];
  if (o.clean > 0) parts.push(`${o.clean} clean`);
  if (o.killed > 0) parts.push(`${o.killed} killed`);
  if (o.hookFailed > 0) parts.push(`${o.hookFailed} hook failed`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** The audit's PROBE cell: whether gracekeeper's probe passed, never passed, or was not seen ("-"). */
export function probeSummary(o: WorkloadOutcomes): string {
  if (o.readyPassed > 0) return 'passed';
  if (o.neverReady > 0) return 'never passed';
  return '-';
}
