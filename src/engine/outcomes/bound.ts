// How long a container may stay not Ready under gracekeeper's probe before it is reported as never
// passing: five minutes after the container started, or twice what its probes allow before the
// kubelet gives up on start-up (startupProbe, then readinessProbe: initialDelaySeconds +
// periodSeconds x failureThreshold, the API's defaults 0, 10 and 3 where unset) when that is longer.
// Five minutes is above the longest start-up gracekeeper's own defaults allow (its probe fails a
// container after 2 x 5 s; a `startup-timeout` adds its own budget, counted here), so a slow but
// healthy start is not reported.
import type { Probe } from '../../kube/pod-types.js';

export const NOT_READY_FLOOR_SECONDS = 300;

function budget(probe: Probe | undefined): number {
  if (!probe) return 0;
  const delay = probe.initialDelaySeconds ?? 0;
  const period = probe.periodSeconds ?? 10;
  const failures = probe.failureThreshold ?? 3;
  return delay + period * failures;
}

export function notReadyBound(containers: ReadonlyArray<{ readinessProbe?: Probe; startupProbe?: Probe }>): number {
  let longest = 0;
  for (const c of containers) longest = Math.max(longest, budget(c.startupProbe) + budget(c.readinessProbe));
  return Math.max(NOT_READY_FLOOR_SECONDS, 2 * longest);
}
