// What `gracekeeper audit` reads from a live cluster, with GETs and paged LISTs only: the API
// server's version, the Namespaces, every kind the engine admits, and what feeds the traffic
// index (Services, Ingresses, IngressClasses, and the Gateway API's kinds where their CRDs exist,
// read as the webhook's informers read them). Objects a controller made from a template the
// audit already covers are left out: Pods with a controller, ReplicaSets of a Deployment, Jobs of
// a CronJob.
import { keptOfNamespace } from '../cluster/namespace-informer.js';
import { ApiError, listAll, type Getter } from '../cluster/raw-get.js';
import { SUPPORTED_KINDS, type KindRule } from '../engine/kinds.js';
import { versionFromInfo, type KubeVersion } from '../engine/kube-version.js';
import { isRecord } from '../kube/pod-types.js';
import type { GroupVersionKind } from '../engine/types.js';
import { cloudOfProviderId } from '../traffic/cloud.js';
import { TrafficIndex } from '../traffic/index.js';
import type { Cloud } from '../traffic/types.js';
import { WATCHED_KINDS, type WatchedKind } from '../cluster/watched-kinds.js';
import { trimFor } from '../cluster/trim.js';
import { WATCHED_REASONS } from '../engine/outcomes/event-facts.js';
import { isOptedIn, type NamespaceInfo } from './classify.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';

export interface Workload {
  gvk: GroupVersionKind;
  object: Record<string, unknown>;
}

export interface ClusterView {
  kubeVersion: KubeVersion | undefined;
  namespaces: Map<string, NamespaceInfo>;
  workloads: Workload[];
  traffic: TrafficIndex;
  /** Optional kinds whose CRDs are not installed (their lists answered 404). */
  absent: string[];
  /** Every Pod of an opted-in namespace, and the kubelet's Events about them (outcomes). */
  pods: Record<string, unknown>[];
  podEvents: Record<string, unknown>[];
}

/** `namespace` undefined: every namespace. */
export async function readCluster(get: Getter, namespace: string | undefined, cluster?: ClusterSettings): Promise<ClusterView> {
  const info = (await get('/version')) as { major?: string; minor?: string; gitVersion?: string };
  const namespaces = new Map<string, NamespaceInfo>();
  const nsObjects =
    namespace === undefined
      ? await listAll(get, '/api/v1/namespaces')
      : [await get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`)];
  for (const ns of nsObjects) {
    const { name, labels, annotations } = keptOfNamespace(ns);
    if (name) namespaces.set(name, { labels, annotations });
  }
  const workloads: Workload[] = [];
  const pods: Record<string, unknown>[] = [];
  const optedIn = (ns: unknown) =>
    typeof ns === 'string' && cluster !== undefined && isOptedIn(ns, namespaces.get(ns)?.labels ?? {}, cluster);
  for (const rule of SUPPORTED_KINDS) {
    for (const object of await listAll(get, resourcePath(rule.group, rule.version, rule.plural, namespace))) {
      if (rule.kind === 'Pod' && optedIn((object.metadata as { namespace?: unknown } | undefined)?.namespace)) pods.push(object);
      if (!auditedHere(rule, object)) continue;
      workloads.push({ gvk: { group: rule.group, version: rule.version, kind: rule.kind }, object });
    }
  }
  const traffic = new TrafficIndex();
  const absent: string[] = [];
  for (const w of WATCHED_KINDS) {
    let items: Record<string, unknown>[];
    try {
      items = await listAll(get, resourcePath(w.group, w.version, w.plural, scopeOf(w, namespace)));
    } catch (err) {
      if (w.optional && err instanceof ApiError && err.status === 404) {
        absent.push(w.plural);
        continue;
      }
      throw err;
    }
    const trim = trimFor(w.kind);
    for (const item of items) traffic.upsert(w.kind, trim(item));
  }
  // The kubelet's Events about Pods, one field-selected list per reason (selectors match one value).
  const podEvents: Record<string, unknown>[] = [];
  if (pods.length > 0) {
    for (const reason of WATCHED_REASONS) {
      const fieldSelector = `involvedObject.kind=Pod,reason=${reason}`;
      let events: Record<string, unknown>[];
      try {
        events = await listAll(get, resourcePath('', 'v1', 'events', namespace), undefined, { fieldSelector });
      } catch (err) {
        // A role from before outcomes (no list of events): the audit reads on without them.
        if (err instanceof ApiError && err.status === 403) break;
        throw err;
      }
      for (const e of events) if (optedIn((e.metadata as { namespace?: unknown } | undefined)?.namespace)) podEvents.push(e);
    }
  }
  traffic.cloud = await learnCloud(get);
  return { kubeVersion: versionFromInfo(info), namespaces, workloads, traffic, absent, pods, podEvents };
}

/** The cloud, from one Node's spec.providerID; unknown when Nodes cannot be read (no permission). */
async function learnCloud(get: Getter): Promise<Cloud | undefined> {
  try {
    const list = (await get('/api/v1/nodes?limit=1')) as { items?: Array<{ spec?: { providerID?: string } }> };
    return cloudOfProviderId(list.items?.[0]?.spec?.providerID);
  } catch {
    return undefined;
  }
}

/**
 * Services and Ingresses only ever serve pods of their own namespace; a route, and the Gateway it
 * attaches to, may live in another (a backendRef across namespaces), so those are read everywhere.
 */
function scopeOf(w: WatchedKind, namespace: string | undefined): string | undefined {
  return w.kind === 'Service' || w.kind === 'Ingress' ? namespace : undefined;
}

export function resourcePath(group: string, version: string, plural: string, namespace: string | undefined): string {
  const root = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  return namespace === undefined ? `${root}/${plural}` : `${root}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

/** Whether the object is audited itself, rather than through the controller that made it. */
export function auditedHere(rule: KindRule, object: Record<string, unknown>): boolean {
  const owner = rule.auditedAtController;
  if (owner === undefined) return true;
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  const controller = refs.find((r): r is Record<string, unknown> => isRecord(r) && r.controller === true);
  if (!controller) return true;
  return owner !== 'any' && controller.kind !== owner;
}
