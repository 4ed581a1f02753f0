// The readiness decision for one pod template: which selected containers get a probe, on which
// port (see readiness-ports.ts and readiness-gate.ts for the why), and the warnings it gives.
import type { InjectionSettings } from '../../settings/types.js';
import type { TrafficFacts } from '../../traffic/types.js';
import type { Container, PodSpec } from '../../kube/pod-types.js';
import { readinessGate, type GateInput } from './readiness-gate.js';
import { planPorts } from './readiness-ports.js';

export type ReadinessContext = GateInput;

export interface ReadinessPlan {
  /** Container to probe, and the port (undefined: readiness-port, else the container's first TCP port). */
  probes: Map<Container, number | undefined>;
  warnings: string[];
}

export function planReadiness(
  spec: PodSpec,
  selected: readonly Container[],
  settings: InjectionSettings,
  traffic: TrafficFacts | undefined,
  ctx: ReadinessContext | undefined,
): ReadinessPlan {
  const probes = new Map<Container, number | undefined>();
  if (settings.readiness === 'none') return { probes, warnings: [] };
  // An opt-in counts only with a valid value (an invalid one was ignored, with a warning).
  const optIn = (ctx?.optIn ?? false) && (settings.readinessPort !== undefined || settings.readinessPath !== undefined);
  const gate = ctx ? readinessGate({ ...ctx, optIn }) : undefined;
  if (gate) return { probes, warnings: gate.warning ? [gate.warning] : [] };
  // An explicit port applies to every selected container, as written.
  if (settings.readinessPort !== undefined) {
    for (const c of selected) probes.set(c, undefined);
    return { probes, warnings: [] };
  }
  const plan = planPorts(spec, selected, traffic?.services ?? []);
  for (const choice of plan.choices) probes.set(choice.container, choice.port);
  return { probes, warnings: plan.warnings };
}
