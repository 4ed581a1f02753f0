// What the server needs from a cluster, behind two small interfaces: Namespace annotations from a
// cache, and the API server's version. The real ones (kube.ts) use @kubernetes/client-node; tests
// and "no cluster" use the in-memory ones here.
import type { KubeVersion } from '../engine/types.js';

export type SourceState = 'disabled' | 'starting' | 'synced' | 'error';

export interface NamespaceSource {
  /** Annotations of a namespace from the cache; undefined when the namespace is not known. */
  annotations(name: string): Record<string, string> | undefined;
  /** For a namespace the cache does not hold yet: ask the API server once (absent without a cluster). */
  lookup?(name: string): Promise<Record<string, string> | undefined>;
  /** Whether the cache has been filled at least once (readiness waits for it). */
  synced(): boolean;
  state(): SourceState;
  /** Namespaces in the cache. */
  size(): number;
  start(): void;
  stop(): Promise<void>;
}

export interface VersionSource {
  /** The API server's version; undefined when unknown (the engine then assumes the newest). */
  current(): KubeVersion | undefined;
  /** Whether the version is known well enough to serve (always true without a cluster). */
  ready(): boolean;
  start(): void;
  stop(): Promise<void>;
}

export interface ClusterSource {
  /** For the start-up log line, e.g. "in-cluster", "kubeconfig /x", "none". */
  description: string;
  namespaces: NamespaceSource;
  version: VersionSource;
}

/** A namespace cache filled by hand: for tests, and (empty, always synced) for "no cluster". */
export class MemoryNamespaceSource implements NamespaceSource {
  private readonly cache = new Map<string, Record<string, string>>();
  private readonly disabled: boolean;
  private isSynced: boolean;
  /** Set in tests to stand for the API lookup of a namespace not cached yet. */
  lookup?: (name: string) => Promise<Record<string, string> | undefined>;

  constructor(options: { synced?: boolean; disabled?: boolean } = {}) {
    this.isSynced = options.synced ?? true;
    this.disabled = options.disabled ?? false;
  }

  set(name: string, annotations: Record<string, string>): void {
    this.cache.set(name, { ...annotations });
  }

  delete(name: string): void {
    this.cache.delete(name);
  }

  markSynced(synced = true): void {
    this.isSynced = synced;
  }

  annotations(name: string): Record<string, string> | undefined {
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

/** Parses VersionInfo-like fields ("1", "30+", or a gitVersion "v1.30.2-gke.1") into major/minor. */
export function parseVersionInfo(info: { major?: string; minor?: string; gitVersion?: string }): KubeVersion | undefined {
  const major = Number.parseInt(info.major ?? '', 10);
  const minor = Number.parseInt(info.minor ?? '', 10);
  if (Number.isInteger(major) && Number.isInteger(minor) && major > 0) return { major, minor };
  const match = /^v?(\d+)\.(\d+)/.exec(info.gitVersion ?? '');
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}
