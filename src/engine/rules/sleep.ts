// The preStop sleep: a number the user wrote, or `auto`, sized from the pod's traffic paths
// (src/traffic). Either way it must end before the grace period does (the API server rejects a
// sleep that does not), so it is kept under the cluster's maximum and an exact grace period.
import type { ClusterSettings } from '../../settings/cluster-keys.js';
import { formatDuration } from '../../settings/duration.js';
import { gateWarnings, shortenWarning, unknownPathWarning } from '../../traffic/advice.js';
import { effectiveCloud } from '../../traffic/cloud.js';
import { autoSleep, decidedBy } from '../../traffic/size.js';
import { trafficPaths } from '../../traffic/table.js';
import type { TrafficFacts } from '../../traffic/types.js';

export interface SleepInput {
  setting: number | 'auto';
  traffic: TrafficFacts | undefined;
  cluster: ClusterSettings;
  /** An exact grace period (termination-grace-period), when set. */
  exactGrace: number | undefined;
  /** What an earlier pass decided for `auto` (from the record), and how to use it. */
  earlier?: { seconds: number; by: string; use: 'floor' | 'keep' };
  /** A workload's CREATE or UPDATE: a sleep above propagationDelay is announced. */
  announce: boolean;
  /** The Namespace's labels and the template's readinessGates conditionTypes (load balancers' readiness gates). */
  namespaceLabels?: Record<string, string>;
  readinessGates?: readonly string[];
}

export interface SleepDecision {
  seconds: number;
  /** For `auto`: what decided, and its family (for the record and the metric). */
  auto?: { by: string; family: string };
  /** Problems in the objects on the traffic path (said whether or not a hook is written). */
  warnings: string[];
  /** What the size is and why: to be said only when a hook with it is written. */
  sizeWarnings: string[];
}

export function decideSleep(input: SleepInput): SleepDecision {
  const limit = Math.min(input.cluster.maxTerminationGracePeriod, input.exactGrace ?? Infinity);
  if (input.setting !== 'auto') {
    const seconds = Math.min(input.setting, limit - 1);
    const sizeWarnings =
      seconds < input.setting
        ? [
            `pre-stop-sleep ${formatDuration(input.setting)} lowered to ${formatDuration(seconds)}, under the cluster maximum grace period`,
          ]
        : [];
    return { seconds, warnings: [], sizeWarnings };
  }
  const warnings: string[] = [];
  const sizeWarnings: string[] = [];
  let seconds: number;
  let by: string;
  let family: string;
  if (input.earlier?.use === 'keep') {
    ({ seconds, by } = input.earlier);
    family = familyOf(by);
  } else {
    const traffic = input.traffic ?? { services: [] };
    const found = trafficPaths(traffic, input.cluster.trafficPaths, effectiveCloud(input.cluster.cloud, traffic.cloud));
    for (const w of found.warnings) warnings.push(w.text);
    const decision = autoSleep(found.paths, input.cluster.propagationDelay);
    seconds = decision.seconds;
    by = decidedBy(decision);
    family = decision.path?.family ?? 'propagationDelay';
    if (input.earlier && input.earlier.seconds > seconds) ({ seconds, by } = input.earlier);
    if (input.announce && decision.path && seconds > input.cluster.propagationDelay) {
      const learning = decision.path.afterPropagation ? ` + propagation ${formatDuration(input.cluster.propagationDelay)}` : '';
      sizeWarnings.push(`pre-stop-sleep auto: ${formatDuration(seconds)} for ${by}; ${decision.path.reason}${learning}`);
      const shorten = shortenWarning(decision.path);
      if (shorten) sizeWarnings.push(shorten);
    }
    if (input.announce) {
      const propagation = formatDuration(input.cluster.propagationDelay);
      for (const path of found.paths) if (path.unknown) warnings.push(unknownPathWarning(path, propagation));
      warnings.push(
        ...gateWarnings(found.paths, {
          namespaceLabels: input.namespaceLabels ?? {},
          readinessGates: input.readinessGates ?? [],
        }),
      );
    }
  }
  if (seconds >= limit) {
    sizeWarnings.push(
      `pre-stop-sleep auto ${formatDuration(seconds)} for ${by} lowered to ${formatDuration(limit - 1)}, under the grace period`,
    );
    seconds = limit - 1;
  }
  return { seconds, auto: { by, family }, warnings, sizeWarnings };
}

/** "Ingress/web (aws-alb-ip)" -> "aws-alb-ip"; "propagationDelay" -> itself. */
function familyOf(by: string): string {
  return /\(([^)]+)\)$/.exec(by)?.[1] ?? by;
}
