// A Pod as the API server sends it (plain JSON) to the few facts outcomes need (types.ts): whose
// it is, whether it is being deleted and when its grace period ends, which containers carry
// gracekeeper's readiness probe (the record says so), and each container's state. Nothing else of
// the pod is kept (no env, no command, no annotations but the record's names).
import { isRecord, type Probe } from '../../kube/pod-types.js';
import { readRecord } from '../record/record.js';
import { notReadyBound } from './bound.js';
import type { ContainerFacts, PodFacts, WorkloadRef } from './types.js';

type Json = Record<string, unknown>;

const rec = (v: unknown): Json => (isRecord(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The workload of a pod: its controller, a ReplicaSet of a Deployment named as the Deployment; else the Pod. */
export function workloadOf(meta: Json, podName: string): WorkloadRef {
  const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  const controller = refs.map(rec).find((r) => r.controller === true);
  const kind = str(controller?.kind);
  const name = str(controller?.name);
  if (!kind || !name) return { kind: 'Pod', name: podName };
  // The Deployment controller names its ReplicaSets <deployment>-<pod-template-hash> and labels their pods with the hash.
  const hash = str(rec(meta.labels)['pod-template-hash']);
  if (kind === 'ReplicaSet' && hash && name.endsWith(`-${hash}`))
    return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
  return { kind, name };
}

function containerFacts(status: Json): ContainerFacts | undefined {
  const name = str(status.name);
  if (!name) return undefined;
  const state = rec(status.state);
  const facts: ContainerFacts = { name, ready: status.ready === true };
  const startedAt = str(rec(state.running).startedAt);
  if (startedAt) facts.startedAt = startedAt;
  if (isRecord(state.terminated)) {
    const t = state.terminated;
    facts.terminated = { exitCode: num(t.exitCode) ?? 0 };
    if (str(t.reason)) facts.terminated.reason = str(t.reason);
    if (str(t.finishedAt)) facts.terminated.finishedAt = str(t.finishedAt);
  }
  return facts;
}

/** The facts of a Pod; undefined for what is not a Pod with a name, a namespace and a uid. */
export function podFacts(pod: unknown): PodFacts | undefined {
  if (!isRecord(pod)) return undefined;
  const meta = rec(pod.metadata);
  const name = str(meta.name);
  const namespace = str(meta.namespace);
  const uid = str(meta.uid);
  if (!name || !namespace || !uid) return undefined;
  const spec = rec(pod.spec);
  const specContainers = (Array.isArray(spec.containers) ? spec.containers : []).map(rec) as Array<{
    name?: unknown;
    readinessProbe?: Probe;
    startupProbe?: Probe;
  }>;
  const record = readRecord(rec(meta.annotations) as Record<string, string>);
  const probed = new Set(record?.added.readinessProbe ?? []);
  const statuses = Array.isArray(rec(pod.status).containerStatuses) ? (rec(pod.status).containerStatuses as unknown[]) : [];
  const facts: PodFacts = {
    namespace,
    name,
    uid,
    workload: workloadOf(meta, name),
    probedByGracekeeper: [...probed].filter((c) => specContainers.some((s) => s.name === c)),
    notReadyBoundSeconds: notReadyBound(specContainers.filter((s) => typeof s.name === 'string' && probed.has(s.name))),
    containers: statuses.map((s) => containerFacts(rec(s))).filter((c): c is ContainerFacts => c !== undefined),
  };
  const deletion = str(meta.deletionTimestamp);
  if (deletion) facts.deletionTimestamp = deletion;
  const grace = num(meta.deletionGracePeriodSeconds);
  if (grace !== undefined) facts.deletionGracePeriodSeconds = grace;
  return facts;
}
