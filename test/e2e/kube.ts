// Small typed helpers for the webhook scenarios: namespaces, apply, get, list, polling, and the
// comparisons the scenarios make between a pod template and the Pods made from it.
import assert from 'node:assert/strict';
import { eventually } from '../poll.js';
import type { ControlPlane, KubectlResult } from './cluster.js';

export { eventually };

export const RECORD = 'gracekeeper.io/injected';
export const INJECT_LABEL = 'gracekeeper.io/inject';

/** A Kubernetes object as JSON; the scenarios read deep into it, so it is loosely typed. */
export type Obj = Record<string, any>;

export interface Container {
  name: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  lifecycle?: { preStop?: Obj; postStart?: Obj };
  readinessProbe?: Obj;
  startupProbe?: Obj;
  livenessProbe?: Obj;
  restartPolicy?: string;
  [k: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  [k: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** The scenarios' view of the cluster: the control plane plus a few verbs. */
export class Kube {
  constructor(readonly cp: ControlPlane) {}

  kubectl(args: string[], input?: unknown, allowFailure = false): Promise<KubectlResult> {
    const text = input === undefined ? undefined : typeof input === 'string' ? input : JSON.stringify(input);
    return this.cp.kubectl(args, { input: text, allowFailure });
  }

  /** `kubectl apply -f -` of one object or a List; returns kubectl's output (warnings on stderr). */
  apply(obj: Obj | Obj[], extra: string[] = [], allowFailure = false): Promise<KubectlResult> {
    const input = Array.isArray(obj) ? { apiVersion: 'v1', kind: 'List', items: obj } : obj;
    return this.kubectl(['apply', '-f', '-', ...extra], input, allowFailure);
  }

  /** Creates a namespace, opted in unless `optIn` is false. */
  async namespace(name: string, opts: { optIn?: boolean; annotations?: Record<string, string> } = {}): Promise<string> {
    const labels = opts.optIn === false ? {} : { [INJECT_LABEL]: 'enabled' };
    await this.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels, annotations: opts.annotations ?? {} },
    });
    return name;
  }

  /** GET of an API path; undefined on 404, throws on any other failure. */
  async get<T = Obj>(path: string): Promise<T | undefined> {
    const res = await this.cp.api<T>('GET', path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    return res.body;
  }

  async mustGet<T = Obj>(path: string): Promise<T> {
    const v = await this.get<T>(path);
    if (v === undefined) throw new Error(`GET ${path}: not found`);
    return v;
  }

  async list(path: string): Promise<Obj[]> {
    return (await this.mustGet<{ items: Obj[] }>(path)).items;
  }

  /** The objects under `path` owned (controller reference) by `owner`. */
  async owned(path: string, owner: Obj): Promise<Obj[]> {
    const uid = owner.metadata.uid as string;
    return (await this.list(path)).filter((o) =>
      (o.metadata.ownerReferences as Obj[] | undefined)?.some((r) => r.uid === uid && r.controller),
    );
  }

  /** Waits until exactly `count` objects under `path` are owned by `owner`. */
  ownedEventually(path: string, owner: Obj, count: number, timeoutMs = 20_000): Promise<Obj[]> {
    return eventually(
      `${count} objects under ${path} owned by ${owner.kind}/${owner.metadata.name}`,
      async () => {
        const items = await this.owned(path, owner);
        return items.length === count ? items : undefined;
      },
      { timeoutMs, components: this.cp.components },
    );
  }
}

/** The record gracekeeper writes, parsed (undefined when absent). */
export function recordOf(meta: Obj | undefined): Obj | undefined {
  const text = meta?.annotations?.[RECORD] as string | undefined;
  return text === undefined ? undefined : (JSON.parse(text) as Obj);
}

function containerView(c: Container): Obj {
  return {
    name: c.name,
    lifecycle: c.lifecycle,
    readinessProbe: c.readinessProbe,
    startupProbe: c.startupProbe,
    livenessProbe: c.livenessProbe,
  };
}

/**
 * A Pod made from `template` carries exactly what the template carries: the same hooks and probes
 * on every container (so nothing was added twice or differently), the same grace period and the
 * same record.
 */
export function assertPodMatchesTemplate(pod: Obj, template: PodTemplate): void {
  const what = `Pod ${pod.metadata.name as string}`;
  assert.deepEqual(
    (pod.spec.containers as Container[]).map(containerView),
    template.spec.containers.map(containerView),
    `${what}: containers differ from the template's`,
  );
  assert.deepEqual(
    ((pod.spec.initContainers ?? []) as Container[]).map(containerView),
    (template.spec.initContainers ?? []).map(containerView),
    `${what}: init containers differ`,
  );
  assert.equal(
    pod.spec.terminationGracePeriodSeconds,
    template.spec.terminationGracePeriodSeconds,
    `${what}: terminationGracePeriodSeconds`,
  );
  assert.equal(
    pod.metadata.annotations?.[RECORD],
    template.metadata?.annotations?.[RECORD],
    `${what}: the record differs from the template's`,
  );
}

/** Nothing of gracekeeper's on a pod template or Pod. */
export function assertUntouched(object: PodTemplate | Obj, what: string): void {
  const template = object as PodTemplate;
  assert.equal(template.metadata?.annotations?.[RECORD], undefined, `${what}: has a record`);
  for (const c of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
    assert.equal(c.lifecycle, undefined, `${what}: container ${c.name} has a lifecycle`);
    assert.equal(c.readinessProbe, undefined, `${what}: container ${c.name} has a readiness probe`);
    assert.equal(c.startupProbe, undefined, `${what}: container ${c.name} has a startup probe`);
  }
}

/** A Pod's or template's container by name (regular or init). */
export function container(template: PodTemplate, name: string): Container {
  const c = [...template.spec.containers, ...(template.spec.initContainers ?? [])].find((x) => x.name === name);
  assert.ok(c, `no container ${name}`);
  return c;
}

/** kubectl's "Warning: ..." lines. */
export function warnings(result: KubectlResult): string[] {
  return result.stderr
    .split('\n')
    .filter((l) => l.startsWith('Warning: '))
    .map((l) => l.slice(9));
}
