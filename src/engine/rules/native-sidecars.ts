// Native sidecars (init containers with restartPolicy: Always) stop after the main containers, within
// the same grace period (KEP-753), so the grace period gets their drain on top of sleep + drain.
import type { PodSpec } from '../../kube/pod-types.js';

/** sidecar-drain-timeout when the key is not set and the pod has native sidecars. */
export const DEFAULT_SIDECAR_DRAIN = 5;

export function hasNativeSidecars(spec: PodSpec): boolean {
  return (spec.initContainers ?? []).some((c) => c.restartPolicy === 'Always');
}

/**
 * The seconds the grace period adds for native sidecars: the key's value when set, else 5 s when
 * the pod has native sidecars (or will have: a mesh injects its proxy as one), else nothing.
 */
export function sidecarDrain(explicit: number | undefined, nativeSidecars: boolean): number {
  return explicit ?? (nativeSidecars ? DEFAULT_SIDECAR_DRAIN : 0);
}
