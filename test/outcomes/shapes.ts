// Pod and Event shapes as the kubelet writes them (read in its sources: kuberuntime_container.go's
// killContainer and executePreStopHook, prober.go, status_manager.go), for the classification's
// tests and the e2e test that plays the kubelet's part on a real API server.
import { serialiseRecord, emptyRecord } from '../../src/engine/record/record.js';

/** gracekeeper's record on a pod whose container `app` got its readiness probe and preStop. */
export function recordAnnotation(containers: string[] = ['app']): string {
  const record = emptyRecord();
  record.added.readinessProbe = [...containers];
  record.added.preStop = [...containers];
  return serialiseRecord(record);
}

export interface PodShapeOptions {
  name?: string;
  namespace?: string;
  uid?: string;
  record?: boolean;
  /** ReplicaSet owner `<deployment>-<hash>` with the pod-template-hash label. */
  deployment?: string;
}

/** A running pod of a Deployment, as the API server holds it after the kubelet's status update. */
export function runningPod(o: PodShapeOptions & { ready?: boolean; startedAt?: string } = {}): Record<string, unknown> {
  const hash = '7d4b9c8f6d';
  const deployment = o.deployment ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name ?? `${deployment}-${hash}-x2x7q`,
      namespace: o.namespace ?? 'shop',
      uid: o.uid ?? '5f0c1e7a-1111-4c1e-9c55-000000000001',
      labels: { app: deployment, 'pod-template-hash': hash },
      annotations: o.record === false ? {} : { 'gracekeeper.io/injected': recordAnnotation() },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-${hash}`, uid: 'rs-uid', controller: true },
      ],
    },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: 'app',
          image: 'example/app:1',
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 2 },
          lifecycle: { preStop: { sleep: { seconds: 5 } } },
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'app',
          ready: o.ready ?? false,
          restartCount: 0,
          started: true,
          image: 'example/app:1',
          imageID: 'example/app@sha256:0',
          containerID: 'containerd://abc',
          state: { running: { startedAt: o.startedAt ?? '2026-12-04T05:00:00Z' } },
        },
      ],
    },
  };
}

/**
 * The same pod after a deletion with `grace` seconds at `deletedAt`, once the kubelet stopped it:
 * deletionTimestamp = deletedAt + grace (the API server's), the container terminated at `finishedAt`
 * with `exitCode` (137 for the runtime's SIGKILL; containerd's reason for a non-zero exit is "Error").
 */
export function stoppedPod(
  o: PodShapeOptions & { deletedAt: string; grace: number; finishedAt: string; exitCode: number; reason?: string },
): Record<string, unknown> {
  const pod = runningPod({ ...o, ready: false });
  const meta = pod.metadata as Record<string, unknown>;
  meta.deletionTimestamp = new Date(Date.parse(o.deletedAt) + o.grace * 1000).toISOString().replace('.000Z', 'Z');
  meta.deletionGracePeriodSeconds = o.grace;
  const status = pod.status as { phase: string; containerStatuses: Array<Record<string, unknown>> };
  status.phase = o.exitCode === 0 ? 'Succeeded' : 'Failed';
  const cs = status.containerStatuses[0];
  cs.started = false;
  cs.state = {
    terminated: {
      exitCode: o.exitCode,
      reason: o.reason ?? (o.exitCode === 0 ? 'Completed' : 'Error'),
      startedAt: '2026-12-04T05:00:00Z',
      finishedAt: o.finishedAt,
      containerID: 'containerd://abc',
    },
  };
  return pod;
}

/** A core/v1 Event as the kubelet's recorder writes it about a pod's container. */
export function kubeletEvent(o: {
  pod: string;
  namespace?: string;
  uid?: string;
  reason: string;
  message: string;
  type?: 'Normal' | 'Warning';
  container?: string;
  count?: number;
  name?: string;
}): Record<string, unknown> {
  const namespace = o.namespace ?? 'shop';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: o.name ?? `${o.pod}.${o.reason.toLowerCase()}`, namespace },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: o.pod,
      namespace,
      uid: o.uid ?? '5f0c1e7a-1111-4c1e-9c55-000000000001',
      ...(o.container === undefined ? {} : { fieldPath: `spec.containers{${o.container}}` }),
    },
    reason: o.reason,
    message: o.message,
    type: o.type ?? 'Warning',
    source: { component: 'kubelet', host: 'node-1' },
    reportingComponent: 'kubelet',
    reportingInstance: 'node-1',
    count: o.count ?? 1,
    firstTimestamp: '2026-12-04T05:01:00Z',
    lastTimestamp: '2026-12-04T05:01:00Z',
  };
}
