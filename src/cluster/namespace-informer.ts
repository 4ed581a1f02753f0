// The Namespace informer: a TrimmedInformer (list in pages, then watch; its cache drops deleted
// namespaces and a re-list evicts the ones a broken watch missed; restarted with backoff after
// errors) that keeps of each Namespace what an admission reads: its labels, its gracekeeper.io/
// annotations and the four Linkerd annotations mesh detection reads (make bench-scale: with 10,000
// Namespaces, whole objects cost about 48 MB of RSS, trimmed ones about 14 MB).
import { CoreV1Api, type KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { LINKERD_NAMESPACE_ANNOTATIONS } from '../engine/rules/mesh-linkerd.js';
import { isRecord } from '../kube/pod-types.js';
import { PREFIX } from '../settings/keys.js';
import type { KubeSourceOptions } from './kube-options.js';
import { NamespaceLookup, namespaceInfo } from './namespace-lookup.js';
import type { NamespaceInfo, NamespaceSource, SourceState } from './sources.js';
import { TrimmedInformer } from './trimmed-informer.js';

const MESH_KEYS: ReadonlySet<string> = new Set(LINKERD_NAMESPACE_ANNOTATIONS);

/** What gracekeeper keeps of a Namespace, read from any Namespace object (typed or plain JSON). */
export interface KeptNamespace extends NamespaceInfo {
  name?: string;
  resourceVersion?: string;
}

/**
 * What the cache keeps of a Namespace: name, resourceVersion, labels, gracekeeper.io/ annotations
 * and the Linkerd annotations that mesh a namespace's pods (Istio meshes a namespace by labels).
 * The audit reads the Namespaces it lists through it too, so both see the same keys.
 */
export function keptOfNamespace(ns: unknown): KeptNamespace {
  const meta = isRecord(ns) && isRecord(ns.metadata) ? ns.metadata : {};
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(strings(meta.annotations))) {
    if (key.startsWith(PREFIX) || MESH_KEYS.has(key)) annotations[key] = value;
  }
  return {
    name: typeof meta.name === 'string' ? meta.name : undefined,
    resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined,
    labels: strings(meta.labels),
    annotations,
  };
}

export function trimNamespace(ns: V1Namespace): V1Namespace {
  const { name, resourceVersion, labels, annotations } = keptOfNamespace(ns);
  return { metadata: { name, resourceVersion, labels, annotations } };
}

function strings(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

export class InformerNamespaceSource implements NamespaceSource {
  private readonly informer: TrimmedInformer<V1Namespace>;
  private fallback?: NamespaceLookup;

  constructor(
    private readonly config: KubeConfig,
    options: KubeSourceOptions,
  ) {
    const api = config.makeApiClient(CoreV1Api);
    this.informer = new TrimmedInformer<V1Namespace>(config, {
      resource: 'namespaces',
      path: '/api/v1/namespaces',
      list: (limit, _continue) => api.listNamespace({ limit, _continue }),
      trim: trimNamespace,
      log: options.log,
      backoffInitialMs: options.backoffInitialMs,
      backoffMaxMs: options.backoffMaxMs,
      onRestart: options.onRestart,
    });
  }

  get(name: string): NamespaceInfo | undefined {
    const ns = this.informer.get(name);
    return ns ? namespaceInfo(ns) : undefined;
  }

  lookup(name: string): Promise<NamespaceInfo | undefined> {
    this.fallback ??= new NamespaceLookup(this.config.makeApiClient(CoreV1Api));
    return this.fallback.get(name);
  }

  synced(): boolean {
    return this.informer.synced();
  }

  state(): SourceState {
    return this.informer.state();
  }

  size(): number {
    return this.informer.size();
  }

  start(): void {
    this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}
