// An informer (client-node's ListWatch: list, then watch from the list's resourceVersion; a watch
// that ends is resumed, 410 Gone re-lists) that keeps of each object only what gracekeeper reads:
// every object is trimmed before the cache holds it, from the list (in pages of LIST_PAGE_SIZE, as
// client-go's pager) and from the watch. Restarted with backoff after errors; its state, for
// readiness and metrics, is starting, synced or error.
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import type { SourceState } from './sources.js';

export const LIST_PAGE_SIZE = 500;

export interface ListPage<T> {
  items: T[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

export interface TrimmedInformerOptions<T extends KubernetesObject> {
  /** The resource, for logs and metrics (e.g. "services"). */
  resource: string;
  /** The watch path, e.g. /api/v1/services. */
  path: string;
  list: (limit: number, continueToken: string | undefined) => Promise<ListPage<T>>;
  trim: (object: T) => T;
  log: Logger;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  onRestart?: () => void;
  onChange?: (event: 'add' | 'update' | 'delete', object: T) => void;
}

/** client-node's watch, with every object it delivers trimmed before the informer caches it. */
class TrimmingWatch<T> extends Watch {
  constructor(
    config: KubeConfig,
    private readonly trim: (object: T) => T,
  ) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void, // eslint-disable-line @typescript-eslint/no-explicit-any -- client-node's own type
    done: (err: any) => void, // eslint-disable-line @typescript-eslint/no-explicit-any -- client-node's own type
  ): Promise<AbortController> {
    const trimmed = (phase: string, object: T, raw?: unknown) =>
      callback(phase, phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' ? this.trim(object) : object, raw);
    return super.watch(path, queryParams, trimmed, done);
  }
}

export class TrimmedInformer<T extends KubernetesObject> {
  private informer?: ListWatch<T>;
  private current: SourceState = 'starting';
  private hasSynced = false;
  private stopped = false;
  private attempt = 0;
  private generation = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: TrimmedInformerOptions<T>,
  ) {}

  synced(): boolean {
    return this.hasSynced;
  }

  state(): SourceState {
    return this.current;
  }

  size(): number {
    return this.informer?.list().length ?? 0;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer?.get(name, namespace);
  }

  start(): void {
    const { options } = this;
    const list = async (): Promise<ListPage<T>> => {
      const items: T[] = [];
      let page = await options.list(LIST_PAGE_SIZE, undefined);
      for (;;) {
        for (const object of page.items) items.push(options.trim(object));
        const next = page.metadata?._continue;
        if (!next) break;
        page = await options.list(LIST_PAGE_SIZE, next);
      }
      // The informer fills its cache right after this promise settles; mark synced after that.
      setImmediate(() => this.onListed(items.length));
      return { metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
    };
    const informer = new ListWatch<T>(options.path, new TrimmingWatch<T>(this.config, options.trim), list, false);
    for (const event of ['add', 'update', 'delete'] as const) {
      informer.on(event, (object: T) => options.onChange?.(event, object));
    }
    informer.on('error', (err: unknown) => this.onError(err));
    this.informer = informer;
    this.run();
  }

  private onListed(count: number): void {
    if (this.stopped) return;
    this.attempt = 0;
    const log = this.options.log;
    if (!this.hasSynced) log.info({ resource: this.options.resource, objects: count }, 'informer synced');
    else if (this.current === 'error')
      log.info({ resource: this.options.resource, objects: count }, 'watch recovered (re-listed)');
    // Without an error first, the client lists again only when the watch's resourceVersion is gone.
    else log.info({ resource: this.options.resource, objects: count }, 'watch expired (410 Gone): re-listed');
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
          this.options.log.info({ resource: this.options.resource }, 'watch recovered');
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
    this.options.log.warn({ resource: this.options.resource, err, retryInMs: delay }, 'watch failed; retrying');
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
