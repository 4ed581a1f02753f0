// terminationGracePeriodSeconds: long enough for the preStop sleep and the app's drain, never lowered.
import { formatDuration } from '../../settings/duration.js';
import type { PodSpec } from '../../kube/pod-types.js';
import { API_SERVER_DEFAULTS } from '../work.js';

/** Kubernetes' default when a pod spec leaves the field unset (work.ts's API_SERVER_DEFAULTS). */
export const KUBERNETES_DEFAULT_GRACE = API_SERVER_DEFAULTS.terminationGracePeriodSeconds ?? 30;

export interface GraceInput {
  current: number | undefined;
  preStopSleep: number;
  drainTimeout: number;
  exact: number | undefined;
  max: number;
  /** The longest sleep action the user wrote in any lifecycle hook: the API server requires grace >= it. */
  userSleep: number;
  /** Seconds the native sidecars need after the main containers exit (sidecar-drain-timeout). */
  sidecarDrain?: number;
  /** The longest wait of a classic mesh proxy: the grace period outlasts it by a second. */
  proxyWait?: number;
}

export interface GraceDecision {
  seconds: number;
  warnings: string[];
}

/**
 * With an exact value: that value. Otherwise max(current, sleep + drain + sidecar drain, sleep + 1,
 * proxy wait + 1), so it is never lowered, always longer than the sleep and the proxy's wait. Whatever gracekeeper computes is clamped to the
 * cluster's maximum (a huge grace period blocks node drains); a value the user wrote is kept.
 */
export function decideGracePeriod(input: GraceInput): GraceDecision {
  const warnings: string[] = [];
  const current = input.current ?? KUBERNETES_DEFAULT_GRACE;
  const budget = input.preStopSleep + input.drainTimeout + (input.sidecarDrain ?? 0);
  const proxy = input.proxyWait === undefined ? 0 : input.proxyWait + 1;
  const unclamped = input.exact ?? Math.max(budget, input.preStopSleep + 1, proxy);
  const wanted = Math.min(unclamped, input.max);
  let seconds = input.exact !== undefined ? wanted : Math.max(current, wanted);
  if (wanted < unclamped && seconds === wanted) {
    warnings.push(`terminationGracePeriodSeconds ${unclamped} clamped to the cluster maximum ${formatDuration(input.max)}`);
  }
  if (seconds < input.userSleep && seconds < current) {
    seconds = Math.min(current, input.userSleep);
    warnings.push(`terminationGracePeriodSeconds kept at ${seconds}: a container's own sleep hook needs that long`);
  }
  return { seconds, warnings };
}

/**
 * The longest sleep action in hooks gracekeeper did not write (`ours`: containers whose preStop
 * gracekeeper wrote): the API server rejects a grace period shorter than any of them.
 */
export function longestUserSleep(spec: PodSpec, ours: ReadonlySet<string>): number {
  let longest = 0;
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    for (const hook of ['preStop', 'postStart'] as const) {
      if (hook === 'preStop' && ours.has(c.name)) continue;
      const seconds = (c.lifecycle?.[hook] as { sleep?: { seconds?: unknown } } | undefined)?.sleep?.seconds;
      if (typeof seconds === 'number') longest = Math.max(longest, seconds);
    }
  }
  return longest;
}
