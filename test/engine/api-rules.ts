// What the API server would reject, checked on engine output: the OpenAPI schema (kubernetes-models)
// plus the core validation rules the schema cannot express (one handler, ranges, sleep < grace, a
// stop signal only with spec.os.name and from that OS's list: pkg/apis/core/validation, v1.37.2).
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Pod } from 'kubernetes-models/v1/Pod';
import { LINUX_STOP_SIGNALS, WINDOWS_STOP_SIGNALS } from '../../src/settings/signals.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Pod,
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  Job,
  CronJob,
};

type Obj = Record<string, any>;

export function podSpecOf(object: Obj): Obj {
  switch (object.kind) {
    case 'Pod':
      return object.spec;
    case 'CronJob':
      return object.spec.jobTemplate.spec.template.spec;
    default:
      return object.spec.template.spec;
  }
}

/** Throws with a reason when the API server would refuse the object. */
export function assertAcceptable(object: Obj): void {
  const Model = MODELS[object.kind];
  if (!Model) throw new Error(`no model for ${object.kind}`);
  new Model(structuredClone(object) as never).validate();
  const spec = podSpecOf(object);
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  if (!Number.isInteger(grace) || grace < 0) throw new Error(`terminationGracePeriodSeconds ${grace}`);
  const os = spec.os?.name;
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const signal = c.lifecycle?.stopSignal;
    if (signal !== undefined) {
      if (os === undefined) throw new Error(`${c.name}: stopSignal may not be set for containers with empty spec.os.name`);
      const allowed = os === 'windows' ? WINDOWS_STOP_SIGNALS : LINUX_STOP_SIGNALS;
      if (!allowed.has(signal)) throw new Error(`${c.name}: stopSignal ${signal} not supported on ${os}`);
    }
    if (os === 'linux' && (c.securityContext?.windowsOptions || spec.securityContext?.windowsOptions)) {
      throw new Error('windows options cannot be set for a linux pod');
    }
    const preStop = c.lifecycle?.preStop;
    if (preStop) {
      oneHandler(preStop, ['exec', 'httpGet', 'tcpSocket', 'sleep'], `${c.name} preStop`);
      if (preStop.sleep && (preStop.sleep.seconds < 0 || preStop.sleep.seconds > grace)) {
        throw new Error(`${c.name}: sleep ${preStop.sleep.seconds} outlasts terminationGracePeriodSeconds ${grace}`);
      }
    }
    for (const kind of ['readinessProbe', 'startupProbe', 'livenessProbe'] as const) {
      const probe = c[kind];
      if (!probe) continue;
      oneHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], `${c.name} ${kind}`);
      for (const f of ['periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
        if (probe[f] !== undefined && (!Number.isInteger(probe[f]) || probe[f] < 1))
          throw new Error(`${c.name} ${kind}.${f}=${probe[f]}`);
      }
      if (probe.initialDelaySeconds !== undefined && probe.initialDelaySeconds < 0)
        throw new Error(`${kind}.initialDelaySeconds`);
      if (kind !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
        throw new Error(`${c.name} ${kind}.successThreshold must be 1`);
      }
      const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
      if (typeof port === 'number' && (port < 1 || port > 65535)) throw new Error(`${c.name} ${kind} port ${port}`);
      if (probe.grpc && typeof probe.grpc.port !== 'number') throw new Error(`${c.name} grpc port must be a number`);
    }
  }
  if (object.spec?.minReadySeconds !== undefined && object.spec.minReadySeconds < 0) throw new Error('minReadySeconds');
}

function oneHandler(handler: Obj, allowed: string[], where: string): void {
  const present = Object.keys(handler).filter((k) => allowed.includes(k) && handler[k] !== undefined);
  if (present.length !== 1) throw new Error(`${where}: expected exactly one handler, found ${present.join(', ') || 'none'}`);
}
