// The Namespace informer: list, then watch, through @kubernetes/client-node; its cache drops deleted
// namespaces and a re-list evicts the ones a broken watch missed. Restarted with backoff after errors.
import { CoreV1Api, makeInformer, type KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { backoffDelay, describeError } from './backoff.js';
import type { KubeSourceOptions } from './kubeconfig.js';
import { NamespaceLookup, namespaceInfo } from './namespace-lookup.js';
import type { NamespaceInfo, NamespaceSource, SourceState } from './sources.js';

type NamespaceInformer = ReturnType<typeof makeInformer<V1Namespace>>;

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

  get(name: string): NamespaceInfo | undefined {
    const ns = this.informer?.get(name);
    return ns ? namespaceInfo(ns) : undefined;
  }

  lookup(name: string): Promise<NamespaceInfo | undefined> {
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
    this.options.log.warn({ err: describeError(err), retryInMs: delay }, 'namespace watch failed; retrying');
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
