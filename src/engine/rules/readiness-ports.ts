// Which container's readiness probe goes on which port: where the pod's Services send it traffic.
// A readiness probe decides whether a pod receives a Service's traffic, so it belongs on the port
// that traffic goes to, on the container that serves it; a port no Service targets (a metrics
// port, an admin UI, a sidecar whose every connection starts a backup) gets none. When no Service
// is known for the pod, only its main container is probed, on its first TCP port.
import type { ServicePath } from '../../traffic/types.js';
import type { Container, ContainerPort, PodSpec } from '../../kube/pod-types.js';
import { namedPlain, speaksTls } from '../../traffic/tls-names.js';

/** A container to probe and the port: a number, or undefined for its own first TCP port. */
export interface PortChoice {
  container: Container;
  port: number | undefined;
}

export interface PortPlan {
  choices: PortChoice[];
  /** Whether a Service declaring ports was known for the pod (else the main container's rule applied). */
  byService: boolean;
  /** Containers whose only targeted ports speak TLS, with the first such port: no TCP probe for them. */
  tlsOnly: Map<Container, number>;
  warnings: string[];
}

const isTcp = (protocol: unknown): boolean => protocol === undefined || protocol === 'TCP';

function portsOf(c: Container): ContainerPort[] {
  return (Array.isArray(c.ports) ? c.ports : []).filter(
    (p) => typeof p === 'object' && p !== null && typeof p.containerPort === 'number',
  );
}

/** The containers a Service's named targetPort is looked up in, in the API server's order: regular, then sidecars. */
function servingContainers(spec: PodSpec): Container[] {
  const sidecars = (Array.isArray(spec.initContainers) ? spec.initContainers : []).filter((c) => c.restartPolicy === 'Always');
  return [...spec.containers, ...sidecars];
}

/** The first container gracekeeper selected, in the pod's order: "the main container". */
export function mainContainer(spec: PodSpec, selected: readonly Container[]): Container | undefined {
  return spec.containers.find((c) => selected.includes(c));
}

export function planPorts(spec: PodSpec, selected: readonly Container[], services: readonly ServicePath[]): PortPlan {
  const targets = services.flatMap((s) => (s.service.ports ?? []).map((p) => ({ ...p, service: s.service.name })));
  if (targets.length === 0) {
    const main = mainContainer(spec, selected);
    // Its first TCP port, unless that port's name says TLS (the same rule as a Service's target).
    const first = main && portsOf(main).find((p) => isTcp(p.protocol));
    if (main && first && speaksTls(typeof first.name === 'string' ? first.name : undefined)) {
      return { choices: [], byService: false, tlsOnly: new Map([[main, first.containerPort]]), warnings: [] };
    }
    return { choices: main ? [{ container: main, port: undefined }] : [], byService: false, tlsOnly: new Map(), warnings: [] };
  }
  const serving = servingContainers(spec);
  const chosen = new Map<Container, number>();
  const tlsOnly = new Map<Container, number>();
  const warnings: string[] = [];
  for (const target of targets) {
    // A UDP or SCTP port has no TCP listener to probe.
    if (!isTcp(target.protocol)) continue;
    let container: Container | undefined;
    let port: number | undefined;
    if (typeof target.targetPort === 'string') {
      container = serving.find((c) => portsOf(c).some((p) => p.name === target.targetPort && isTcp(p.protocol)));
      port = container && portsOf(container).find((p) => p.name === target.targetPort && isTcp(p.protocol))?.containerPort;
      if (!container) {
        warnings.push(
          `Service "${target.service}" targets port "${target.targetPort}", which no container declares; no probe on it`,
        );
      }
    } else {
      port = target.targetPort;
      // A port no container declares is still where the traffic goes: the pod's containers share
      // one network, so the main container's probe on it says whether the pod can serve.
      container =
        serving.find((c) => portsOf(c).some((p) => p.containerPort === port && isTcp(p.protocol))) ??
        mainContainer(spec, selected);
    }
    if (!container || port === undefined || !selected.includes(container) || chosen.has(container)) continue;
    const declared = portsOf(container).find((p) => p.containerPort === port);
    const name = typeof declared?.name === 'string' ? declared.name : undefined;
    const tls = target.tls === 'name' || (target.tls === 'port' && !namedPlain(name)) || speaksTls(name) !== undefined;
    // A TCP probe on a TLS port makes a Go server log a handshake error on every probe.
    if (tls) {
      if (!tlsOnly.has(container)) tlsOnly.set(container, port);
    } else chosen.set(container, port);
  }
  for (const c of chosen.keys()) tlsOnly.delete(c);
  const choices = selected.filter((c) => chosen.has(c)).map((c) => ({ container: c, port: chosen.get(c) as number }));
  return { choices, byService: true, tlsOnly, warnings };
}
