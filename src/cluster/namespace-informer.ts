// The real cluster sources, through @kubernetes/client-node: a Namespace informer (list, then
// watch; its cache drops deleted namespaces, a re-list evicts the ones missed) restarted with
// backoff after errors, and the API server's version, read at start and now and then.
import { CoreV1Api, KubeConfig, makeInformer, VersionApi, type V1Namespace } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeVersion } from '../engine/types.js';
import { NamespaceLookup } from './namespace-lookup.js';
import { parseVersionInfo, type ClusterSource, type NamespaceSource, type SourceState, type VersionSource } from './sources.js';

type NamespaceInformer = ReturnType<typeof makeInformer<V1Namespace>>;

export interface KubeSourceOptions {
  log: Logger;
  /** Called on each informer restart after an error (for a metric). */
  onRestart?: () => void;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How often the API server version is re-read (default 10 minutes). */
  versionRefreshMs?: number;
}

/** A kubeconfig from --kubeconfig, else the in-cluster one, else undefined (no cluster). */
export function loadKubeConfig(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { config: KubeConfig; description: string } | undefined {
  const config = new KubeConfig();
  if (kubeconfig) {
    config.loadFromFile(kubeconfig);
    return { config, description: `kubeconfig ${kubeconfig}` };
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
    config.loadFromCluster();
    return { config, description: 'in-cluster' };
  }
  return undefined;
}

export function kubeCluster(config: KubeConfig, description: string, options: KubeSourceOptions): ClusterSource {
  return {
    description,
    namespaces: new InformerNamespaceSource(config, options),
    version: new ApiVersionSource(config, options),
  };
}

/** Exponential backoff with jitter: initial, 2x, 4x, ... up to max. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class InformerNamespaceSource implements NamespaceSource {
  private informer?: NamespaceInformer;
  private current: SourceState = 'starting';
  private hasSynced = false;
  private stopped = false;
  private attempt = 0;
  private generation = 0;
  private timer?: NodeJS.Timeout;
  private fallback?: NamespaceLookup;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: KubeSourceOptions,
  ) {}

  annotations(name: string): Record<string, string> | undefined {
    const ns = this.informer?.get(name);
    if (!ns) return undefined;
    return ns.metadata?.annotations ?? {};
  }

  lookup(name: string): Promise<Record<string, string> | undefined> {
    this.fallback ??= new NamespaceLookup(this.config.makeApiClient(CoreV1Api));
    return this.fallback.get(name);
  }

  synced(): boolean {
    return this.hasSynced;
  }

  state(): SourceState {
    return this.current;
  }

  size(): number {
    return this.informer?.list().length ?? 0;
  }

  start(): void {
    const api = this.config.makeApiClient(CoreV1Api);
    const list = async () => {
      const result = await api.listNamespace();
      // The informer fills its cache right after this promise settles; mark synced after that.
      setImmediate(() => this.onListed(result.items.length));
      return result;
    };
    this.informer = makeInformer<V1Namespace>(this.config, '/api/v1/namespaces', list);
    this.informer.on('error', (err: unknown) => this.onError(err));
    this.run();
  }

  private onListed(count: number): void {
    if (this.stopped) return;
    this.attempt = 0;
    if (!this.hasSynced) this.options.log.info({ namespaces: count }, 'namespace cache synced');
    else if (this.current === 'error') this.options.log.info({ namespaces: count }, 'namespace watch recovered (re-listed)');
    this.hasSynced = true;
    this.current = 'synced';
  }

  private run(): void {
    const informer = this.informer;
    if (!informer || this.stopped) return;
    const generation = ++this.generation;
    informer.start().then(
      () => {
        // start() returns once the watch is open; no error since means it is healthy again.
        if (generation === this.generation && this.hasSynced && this.current === 'error' && !this.stopped) {
          this.options.log.info('namespace watch recovered');
          this.current = 'synced';
        }
      },
      (err: unknown) => this.onError(err),
    );
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    this.generation++;
    this.current = 'error';
    const delay = backoffDelay(this.attempt++, this.options.backoffInitialMs ?? 500, this.options.backoffMaxMs ?? 30_000);
    this.options.log.warn({ err: describe(err), retryInMs: delay }, 'namespace watch failed; retrying');
    this.options.onRestart?.();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer?.stop();
  }
}

export class ApiVersionSource implements VersionSource {
  private version?: KubeVersion;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: KubeSourceOptions,
  ) {}

  current(): KubeVersion | undefined {
    return this.version;
  }

  ready(): boolean {
    return this.version !== undefined;
  }

  start(): void {
    void this.refresh();
  }

  /** Reads /version once; schedules the next read (sooner after a failure). */
  async refresh(): Promise<void> {
    const api = this.config.makeApiClient(VersionApi);
    let next = this.options.versionRefreshMs ?? 10 * 60_000;
    try {
      const info = await withTimeout(api.getCode(), 10_000);
      const parsed = parseVersionInfo(info);
      if (!parsed) throw new Error(`unparsable version ${JSON.stringify(info.gitVersion)}`);
      if (!this.version || this.version.major !== parsed.major || this.version.minor !== parsed.minor) {
        this.options.log.info(
          { kubeVersion: `${parsed.major}.${parsed.minor}`, gitVersion: info.gitVersion },
          'API server version',
        );
      }
      this.version = parsed;
      this.failures = 0;
    } catch (err) {
      next = backoffDelay(this.failures++, this.options.backoffInitialMs ?? 500, this.options.backoffMaxMs ?? 30_000);
      this.options.log.warn({ err: describe(err), retryInMs: next }, 'could not read the API server version');
    }
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), next);
    this.timer.unref();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return Promise.resolve();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown; statusCode?: unknown }).statusCode ?? (err as { code?: unknown }).code;
    return typeof code === 'string' || typeof code === 'number' ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
