// A watch that caches nothing: list in pages (handing each object on, keeping none), then watch
// from the list's resourceVersion with bookmarks, resuming from the last resourceVersion seen after
// a watch ends, re-listing when the API server says it is gone (410), with backoff after errors.
// For streams gracekeeper only reacts to (Pods and kubelet Events for outcomes): its memory is
// what the caller keeps, not a copy of the cluster. A field selector narrows what the API server
// sends (Events: `involvedObject.kind=Pod,reason=FailedPreStopHook`).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import type { Getter } from './raw-get.js';
import type { SourceState } from './sources.js';
import { LIST_PAGE_SIZE } from './trimmed-informer.js';

export type StreamEvent = 'listed' | 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StreamWatchOptions {
  /** For logs and metrics (e.g. "pods", "events:FailedPreStopHook"). */
  name: string;
  /** The collection path, e.g. /api/v1/pods. */
  path: string;
  fieldSelector?: string;
  /** Whether listed objects are handed on (false: the list only gives the resourceVersion to watch from). */
  deliverListed: boolean;
  get: Getter;
  log: Logger;
  onObject: (type: StreamEvent, object: unknown) => void;
  onRestart?: () => void;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

interface ListAnswer {
  items?: unknown[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export class StreamWatch {
  private current: SourceState = 'starting';
  private resourceVersion?: string;
  private stopped = false;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private abort?: AbortController;
  private hasSynced = false;
  private watchStarted = 0;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: StreamWatchOptions,
  ) {}

  state(): SourceState {
    return this.current;
  }

  synced(): boolean {
    return this.hasSynced;
  }

  start(): void {
    void this.cycle();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    return Promise.resolve();
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams(extra);
    if (this.options.fieldSelector) q.set('fieldSelector', this.options.fieldSelector);
    return q.toString();
  }

  /** List (when no resourceVersion is held), then watch; any failure schedules the next cycle. */
  private async cycle(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.resourceVersion === undefined) await this.list();
      await this.watch();
    } catch (err) {
      this.fail(err);
    }
  }

  private async list(): Promise<void> {
    const { options } = this;
    let count = 0;
    let token: string | undefined;
    let rv: string | undefined;
    do {
      const limit = options.deliverListed ? LIST_PAGE_SIZE : 1;
      const page = (await options.get(
        `${options.path}?${this.query({ limit: String(limit), ...(token ? { continue: token } : {}) })}`,
      )) as ListAnswer;
      rv = page.metadata?.resourceVersion;
      if (options.deliverListed) {
        for (const item of page.items ?? []) options.onObject('listed', item);
        count += page.items?.length ?? 0;
      }
      token = options.deliverListed ? page.metadata?.continue : undefined;
    } while (token && !this.stopped);
    if (!rv) throw new Error(`list of ${options.path} has no resourceVersion`);
    this.resourceVersion = rv;
    if (!this.hasSynced) options.log.info({ stream: options.name, objects: count }, 'outcome stream listed');
    this.hasSynced = true;
  }

  private async watch(): Promise<void> {
    const { options } = this;
    const watch = new Watch(this.config);
    this.watchStarted = Date.now();
    const params: Record<string, string | boolean> = {
      resourceVersion: this.resourceVersion as string,
      allowWatchBookmarks: true,
      ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
    };
    this.abort = await watch.watch(
      options.path,
      params,
      (type: string, object: unknown) => this.onWatchEvent(type, object),
      (err: unknown) => this.onDone(err),
    );
    if (this.current !== 'error' || this.attempt === 0) this.current = 'synced';
  }

  private onWatchEvent(type: string, object: unknown): void {
    const meta = (object as { metadata?: { resourceVersion?: string } } | undefined)?.metadata;
    if (type === 'ERROR') {
      const code = (object as { code?: number } | undefined)?.code;
      // 410 Gone: the resourceVersion is too old; list again (the next cycle does).
      if (code === 410) this.resourceVersion = undefined;
      return;
    }
    if (meta?.resourceVersion) this.resourceVersion = meta.resourceVersion;
    if (type === 'BOOKMARK') return;
    this.attempt = 0;
    this.current = 'synced';
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.options.onObject(type, object);
  }

  private onDone(err: unknown): void {
    if (this.stopped) return;
    if (err) return this.fail(err);
    // The API server ends watches after a while (its min-request-timeout): resume at once, unless
    // it ended at once (then back off, never spin).
    if (Date.now() - this.watchStarted < 1000) return this.fail(new Error('watch closed at once'));
    void this.cycle();
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    const status = (err as { statusCode?: number; status?: number } | undefined)?.statusCode;
    if (status === 410) this.resourceVersion = undefined;
    this.current = 'error';
    const delay = backoffDelay(this.attempt++, this.options.backoffInitialMs ?? 500, this.options.backoffMaxMs ?? 30_000);
    this.options.log.warn({ stream: this.options.name, err, retryInMs: delay }, 'outcome stream failed; retrying');
    this.options.onRestart?.();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.cycle(), delay);
    this.timer.unref();
  }
}
