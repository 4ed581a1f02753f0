// The readiness decision for one pod template: which selected containers get a probe, on which
// port (see readiness-ports.ts and readiness-gate.ts for the why), and the warnings it gives.
import type { InjectionSettings } from '../../settings/types.js';
import type { TrafficFacts } from '../../traffic/types.js';
import type { Container, PodSpec } from '../../kube/pod-types.js';
import { readinessGate, type GateInput } from './readiness-gate.js';
import { readinessHandler } from './probes.js';
import { planPorts } from './readiness-ports.js';
import { optionalListener } from './optional-listeners.js';

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
  if (gate) {
    // Said only where the gate kept a probe from a container that has none: a StatefulSet whose
    // containers carry their own probes loses nothing, and the advice would change nothing.
    const lost = gate.warning !== undefined && ungated(spec, selected, settings, traffic).some((c) => !c.readinessProbe);
    return { probes, warnings: lost && gate.warning ? [gate.warning] : [] };
  }
  // An explicit port applies to every selected container, as written.
  if (settings.readinessPort !== undefined) {
    for (const c of selected) probes.set(c, undefined);
    return { probes, warnings: [] };
  }
  const warnings: string[] = [];
  const plan = planPorts(spec, selected, traffic?.services ?? []);
  for (const choice of plan.choices) {
    const optional = optIn ? undefined : optionalListener(choice.container);
    if (!optional) probes.set(choice.container, choice.port);
    else if (!choice.container.readinessProbe) {
      warnings.push(`container "${choice.container.name}": ${optional.says}; no readiness probe (readiness-port adds one)`);
    }
  }
  // An HTTPS probe completes the handshake: TLS ports get it when the settings ask for one.
  const https = settings.readinessScheme === 'HTTPS' && httpMode(settings);
  for (const [c, port] of plan.tlsOnly) {
    if (https) probes.set(c, port);
    else if (!c.readinessProbe) warnings.push(tlsWarning(c.name, port));
  }
  return { probes, warnings: [...plan.warnings, ...warnings] };
}

/** The containers the ports alone would probe (the gate aside), with a port to probe. */
function ungated(
  spec: PodSpec,
  selected: readonly Container[],
  settings: InjectionSettings,
  traffic: TrafficFacts | undefined,
): Container[] {
  if (settings.readinessPort !== undefined) return [...selected];
  return planPorts(spec, selected, traffic?.services ?? [])
    .choices.filter((choice) => readinessHandler(choice.container, settings, choice.port).handler !== undefined)
    .map((choice) => choice.container);
}

function httpMode(s: InjectionSettings): boolean {
  return s.readiness === 'http' || (s.readiness === 'auto' && s.readinessPath !== undefined);
}

/** Why a container whose traffic is TLS gets no probe, and how to give it one that completes the handshake. */
function tlsWarning(name: string, port: number): string {
  return `no TCP probe on TLS port ${port} of "${name}" (servers log each); set readiness-path, readiness-scheme: HTTPS`;
}
