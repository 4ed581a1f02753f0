// In-memory cluster sources: a namespace cache filled by hand and a fixed version, for tests and,
// empty, for running without a cluster (noCluster: no owners, traffic or outcomes sources, so
// `auto` is propagationDelay and no outcomes are advised).
import type { KubeVersion } from '../engine/kube-version.js';
import type { ClusterSource, NamespaceInfo, NamespaceSource, SourceState, VersionSource } from './sources.js';

/** A namespace cache filled by hand: for tests, and (empty, always synced) for "no cluster". */
export class MemoryNamespaceSource implements NamespaceSource {
  private readonly cache = new Map<string, NamespaceInfo>();
  private readonly disabled: boolean;
  private isSynced: boolean;
  /** Set in tests to stand for the API lookup of a namespace not cached yet. */
  lookup?: (name: string) => Promise<NamespaceInfo | undefined>;

  constructor(options: { synced?: boolean; disabled?: boolean } = {}) {
    this.isSynced = options.synced ?? true;
    this.disabled = options.disabled ?? false;
  }

  set(name: string, annotations: Record<string, string>, labels: Record<string, string> = {}): void {
    this.cache.set(name, { labels: { ...labels }, annotations: { ...annotations } });
  }

  delete(name: string): void {
    this.cache.delete(name);
  }

  markSynced(synced = true): void {
    this.isSynced = synced;
  }

  get(name: string): NamespaceInfo | undefined {
    return this.cache.get(name);
  }

  synced(): boolean {
    return this.isSynced;
  }

  state(): SourceState {
    if (this.disabled) return 'disabled';
    return this.isSynced ? 'synced' : 'starting';
  }

  size(): number {
    return this.cache.size;
  }

  start(): void {}

  async stop(): Promise<void> {}
}

/** A fixed version (or none): for tests, and for "no cluster" (undefined: the newest). */
export class StaticVersionSource implements VersionSource {
  constructor(public version: KubeVersion | undefined = undefined) {}

  current(): KubeVersion | undefined {
    return this.version;
  }

  ready(): boolean {
    return true;
  }

  start(): void {}

  async stop(): Promise<void> {}
}

/** Running on the cluster settings alone. */
export function noCluster(): ClusterSource {
  return {
    description: 'none',
    namespaces: new MemoryNamespaceSource({ synced: true, disabled: true }),
    version: new StaticVersionSource(),
  };
}
