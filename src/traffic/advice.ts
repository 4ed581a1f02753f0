// What the warnings say about the paths beyond their delay, each under 120 characters: a path
// whose controller is unknown (sized by propagationDelay), how to shorten a long delay, and a
// load balancer's readiness gate that is not in use (the start-up half: without it a rollout can
// take old pods away before the load balancer has healthy new ones).
import type { ReadinessGate, TrafficPath } from './types.js';

export interface PodSide {
  namespaceLabels: Record<string, string>;
  /** The conditionTypes of the pod template's readinessGates. */
  readinessGates: readonly string[];
}

/** "Ingress/web: class haproxy: controller unknown; used propagationDelay 5s". */
export function unknownPathWarning(path: TrafficPath, propagation: string): string {
  return `${path.object}: ${path.reason}; used propagationDelay ${propagation}`;
}

/** "Service/api to shorten: lower ...". */
export function shortenWarning(path: TrafficPath): string | undefined {
  return path.shorten ? `${path.object} to shorten: ${path.shorten}` : undefined;
}

export function gateInUse(gate: ReadinessGate, pod: PodSide): boolean {
  const label = gate.namespaceLabel;
  if (label && pod.namespaceLabels[label.key] === label.value) return true;
  const prefix = gate.conditionPrefix;
  return prefix !== undefined && pod.readinessGates.some((c) => c.startsWith(prefix));
}

/** One warning per family whose readiness gate the pod does not use. */
export function gateWarnings(paths: readonly TrafficPath[], pod: PodSide): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const path of paths) {
    if (!path.gate || seen.has(path.family) || gateInUse(path.gate, pod)) continue;
    seen.add(path.family);
    out.push(`${path.object}: gate rollouts on LB health: ${path.gate.how}`);
  }
  return out;
}
