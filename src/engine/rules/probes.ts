// Readiness and startup probes for containers that have none, from the settings.
import { copyOf } from '../copy.js';
import type { Container, Probe } from '../../kube/pod-types.js';
import type { InjectionSettings } from '../../settings/types.js';
import { fail, ok, type Result } from '../../kube/result.js';

export type ProbeHandler = Pick<Probe, 'httpGet' | 'tcpSocket' | 'grpc' | 'exec'>;

export interface HandlerChoice {
  handler?: ProbeHandler;
  warning?: string;
}

function isTcp(protocol: string | undefined): boolean {
  return protocol === undefined || protocol === 'TCP';
}

/**
 * Resolves the probed port: a number as given, a name against the container's own ports, else the
 * first TCP port. A container with none, when no port was asked for, gets no probe and no advice:
 * no Service sends it traffic (else the port would have come from the Service), so there is nothing
 * to be ready for.
 */
function resolvePort(container: Container, wanted: number | string | undefined): Result<number, string | undefined> {
  // Only well-formed entries: a webhook can be sent anything, and must not throw on it.
  const ports = (Array.isArray(container.ports) ? container.ports : []).filter(
    (p) => typeof p === 'object' && p !== null && typeof p.containerPort === 'number',
  );
  if (typeof wanted === 'number') return ok(wanted);
  if (typeof wanted === 'string') {
    const named = ports.find((p) => p.name === wanted);
    if (named && isTcp(named.protocol)) return ok(named.containerPort);
    return fail(`container "${container.name}" declares no TCP port named "${wanted}"; no readiness probe`);
  }
  const first = ports.find((p) => isTcp(p.protocol));
  return first ? ok(first.containerPort) : fail(undefined);
}

/**
 * The readiness handler per `readiness`, or a warning saying why there is none. The port:
 * readiness-port when set, else `chosen` (where a Service sends traffic), else the first TCP port.
 */
export function readinessHandler(container: Container, s: InjectionSettings, chosen?: number): HandlerChoice {
  const mode = s.readiness === 'auto' ? (s.readinessPath !== undefined ? 'http' : 'tcp') : s.readiness;
  if (mode === 'none') return {};
  const resolved = resolvePort(container, s.readinessPort ?? chosen);
  if (!resolved.ok) return resolved.error === undefined ? {} : { warning: resolved.error };
  const port = resolved.value;
  switch (mode) {
    case 'http':
      return { handler: { httpGet: { path: s.readinessPath ?? '/', port, scheme: s.readinessScheme } } };
    case 'tcp':
      return { handler: { tcpSocket: { port } } };
    case 'grpc':
      // `service: ""` as the API server defaults it: a Pod made from the stored template then
      // compares equal and needs no patch.
      return { handler: { grpc: { port, service: '' } } };
  }
}

/** Every field written out, as the API server would default it, so round trips compare equal. */
export function readinessProbe(handler: ProbeHandler, s: InjectionSettings): Probe {
  const probe: Probe = copyOf(handler);
  if (s.readinessInitialDelay > 0) probe.initialDelaySeconds = s.readinessInitialDelay;
  probe.periodSeconds = s.readinessPeriod;
  probe.timeoutSeconds = 1;
  probe.successThreshold = 1;
  probe.failureThreshold = s.readinessFailureThreshold;
  return probe;
}

/** A startup probe on the same handler that allows `startup-timeout` before the container is killed. */
export function startupProbe(handler: ProbeHandler, s: InjectionSettings, timeout: number): Probe {
  return {
    ...structuredClone(handler),
    periodSeconds: s.readinessPeriod,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: Math.max(1, Math.ceil(timeout / s.readinessPeriod)),
  };
}

/** The handler part of an existing probe (the user's readiness probe, for a startup probe). */
export function handlerOf(probe: Probe): ProbeHandler | undefined {
  if (probe.httpGet) return { httpGet: probe.httpGet };
  if (probe.tcpSocket) return { tcpSocket: probe.tcpSocket };
  if (probe.grpc) return { grpc: probe.grpc };
  if (probe.exec) return { exec: probe.exec };
  return undefined;
}
