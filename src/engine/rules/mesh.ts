// What the mesh rules read and decide. A mesh proxy runs as a classic sidecar (a regular container,
// SIGTERMed with the app: it must wait sleep + drain before it exits) or as a native sidecar (an init
// container with restartPolicy: Always, which Kubernetes stops after the app: no wait needed).
import { formatDuration } from '../../settings/duration.js';
import type { PodSpec } from '../../kube/pod-types.js';

export interface PodFacts {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  namespaceLabels: Record<string, string>;
  namespaceAnnotations: Record<string, string>;
  spec: PodSpec;
}

export type ProxyMode = 'off' | 'classic' | 'native';

/** Where the mesh's proxy container already is: a Pod seen again after the mesh's own webhook ran. */
export function proxyPlacement(spec: PodSpec, name: string): 'classic' | 'native' | undefined {
  if (spec.containers.some((c) => c.name === name)) return 'classic';
  const init = (spec.initContainers ?? []).find((c) => c.name === name);
  return init?.restartPolicy === 'Always' ? 'native' : undefined;
}

/**
 * What to do with a proxy's wait annotation: write this text, or keep what the user wrote (with
 * the seconds it holds, when readable, and a warning when it is shorter than needed), or leave it
 * with a warning.
 */
export type WaitPlan = { write: string } | { kept: number | undefined; warning?: string } | { warning: string };

/** The warning for a user's wait that ends before the app's sleep and drain do. */
export function shortWaitWarning(what: string, seconds: number, needed: number): string | undefined {
  if (seconds >= needed) return undefined;
  return `${what} ${formatDuration(seconds)} kept, shorter than sleep + drain ${formatDuration(needed)}: the proxy exits first; raise it`;
}
