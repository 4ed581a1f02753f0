// What sends traffic to pods, kept up to date at the edge: an informer per kind (Services,
// Ingresses, IngressClasses, and the Gateway API's HTTPRoutes, GRPCRoutes, Gateways and
// GatewayClasses when their CRDs exist) feeding one TrafficIndex. The Gateway API kinds are
// looked for at start and every minute after: installed later, they are watched from then on;
// removed, they are forgotten, and admissions go on without them.
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { cloudOfProviderId } from '../traffic/cloud.js';
import { TrafficIndex } from '../traffic/index.js';
import { WATCHED_KINDS, type WatchedKind } from './watched-kinds.js';
import { trimFor } from './trim.js';
import type { TrafficFacts } from '../traffic/types.js';
import type { TrafficSource, TrafficSourceState } from './sources.js';
import { TrimmedInformer, type ListPage } from './trimmed-informer.js';

export type { TrafficSource, TrafficSourceState } from './sources.js';

export interface TrafficSourceOptions {
  log: Logger;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How often the Gateway API CRDs are looked for (default one minute). */
  discoveryMs?: number;
  onRestart?: (resource: string) => void;
  /**
   * Learn the cloud from one Node's spec.providerID (one list of limit 1 at start; RBAC: list
   * nodes). False when the cluster setting `cloud` names it, or for tests.
   */
  learnCloud?: boolean;
}

/** Tries to learn the cloud this many times (with the informers' backoff) before giving up. */
const CLOUD_ATTEMPTS = 5;

type Lister = (limit: number, continueToken: string | undefined) => Promise<ListPage<KubernetesObject>>;

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown };
  return e.code === 404 || e.statusCode === 404 || /\b404\b/.test(String((err as Error)?.message));
}

export class InformerTrafficSource implements TrafficSource {
  private readonly index = new TrafficIndex();
  private readonly informers = new Map<string, TrimmedInformer<KubernetesObject>>();
  private readonly required = new Set<string>();
  private discovered = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: TrafficSourceOptions,
  ) {}

  facts(namespace: string, labels: Record<string, string> | undefined, governing?: string): TrafficFacts {
    return this.index.facts(namespace, labels, governing);
  }

  synced(): boolean {
    return this.discovered && [...this.required].every((r) => this.informers.get(r)?.synced() ?? false);
  }

  states(): TrafficSourceState[] {
    return WATCHED_KINDS.map((w) => {
      const informer = this.informers.get(w.plural);
      return { resource: w.plural, state: informer ? informer.state() : 'disabled', objects: informer?.size() ?? 0 };
    });
  }

  start(): void {
    for (const w of WATCHED_KINDS.filter((k) => !k.optional)) this.watch(w, true);
    void this.discover(true);
    if (this.options.learnCloud ?? true) void this.learnCloud(1);
  }

  /** The cloud the cluster runs on, from one Node; unknown (with a log line) when it cannot be read. */
  private async learnCloud(attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.config.makeApiClient(CoreV1Api).listNode({ limit: 1 });
      const providerID = list.items[0]?.spec?.providerID;
      this.index.cloud = cloudOfProviderId(providerID);
      this.options.log.info(
        { cloud: this.index.cloud ?? 'unknown', providerIdScheme: providerID?.split(':')[0]?.slice(0, 40) ?? 'none' },
        'cloud learnt from the Nodes',
      );
    } catch (err) {
      if (attempt >= CLOUD_ATTEMPTS) {
        this.options.log.warn({ err }, 'could not read a Node: the cloud stays unknown (set the cluster setting cloud)');
        return;
      }
      const delay = Math.min((this.options.backoffInitialMs ?? 1000) * 2 ** (attempt - 1), this.options.backoffMaxMs ?? 30_000);
      const timer = setTimeout(() => void this.learnCloud(attempt + 1), delay);
      timer.unref();
    }
  }

  private lister(w: WatchedKind): Lister {
    if (w.kind === 'Service') {
      const api = this.config.makeApiClient(CoreV1Api);
      return (limit, _continue) => api.listServiceForAllNamespaces({ limit, _continue });
    }
    if (w.kind === 'Ingress') {
      const api = this.config.makeApiClient(NetworkingV1Api);
      return (limit, _continue) => api.listIngressForAllNamespaces({ limit, _continue });
    }
    if (w.kind === 'IngressClass') {
      const api = this.config.makeApiClient(NetworkingV1Api);
      return (limit, _continue) => api.listIngressClass({ limit, _continue });
    }
    const api = this.config.makeApiClient(CustomObjectsApi);
    return async (limit, _continue) =>
      (await api.listClusterCustomObject({
        group: w.group,
        version: w.version,
        plural: w.plural,
        limit,
        _continue,
      })) as ListPage<KubernetesObject>;
  }

  private watch(w: WatchedKind, required: boolean): void {
    if (this.informers.has(w.plural) || this.stopped) return;
    const trim = trimFor(w.kind);
    const informer = new TrimmedInformer<KubernetesObject>(this.config, {
      resource: w.plural,
      path: `${w.group === '' ? '/api' : `/apis/${w.group}`}/${w.version}/${w.plural}`,
      list: this.lister(w),
      trim,
      log: this.options.log,
      backoffInitialMs: this.options.backoffInitialMs,
      backoffMaxMs: this.options.backoffMaxMs,
      onRestart: () => this.options.onRestart?.(w.plural),
      onChange: (event, object) => {
        const meta = object.metadata ?? {};
        if (event === 'delete') this.index.remove(w.kind, meta.namespace ?? '', meta.name ?? '');
        else this.index.upsert(w.kind, object as unknown as Record<string, unknown>);
      },
    });
    this.informers.set(w.plural, informer);
    if (required) this.required.add(w.plural);
    informer.start();
  }

  /** Looks for each optional kind with a one-item list: found, it is watched; gone (404), forgotten. */
  private async discover(first: boolean): Promise<void> {
    for (const w of WATCHED_KINDS.filter((k) => k.optional)) {
      try {
        await this.lister(w)(1, undefined);
        if (!this.informers.has(w.plural)) {
          this.options.log.info({ resource: w.plural }, 'found; watching it');
          this.watch(w, first);
        }
      } catch (err) {
        if (isNotFound(err)) await this.forget(w);
        else this.options.log.warn({ resource: w.plural, err }, 'could not look for it; will look again');
      }
    }
    this.discovered = true;
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.discover(false), this.options.discoveryMs ?? 60_000);
    this.timer.unref();
  }

  private async forget(w: WatchedKind): Promise<void> {
    const informer = this.informers.get(w.plural);
    if (!informer) return;
    this.options.log.info({ resource: w.plural }, 'gone (its CRD was removed); no longer watched');
    this.informers.delete(w.plural);
    this.required.delete(w.plural);
    await informer.stop();
    this.index.clear([w.kind]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.informers.values()].map((i) => i.stop()));
  }
}

/** A traffic index filled by hand: for tests, and (empty) for running without a cluster. */
export class MemoryTrafficSource implements TrafficSource {
  readonly index = new TrafficIndex();

  facts(namespace: string, labels: Record<string, string> | undefined, governing?: string): TrafficFacts {
    return this.index.facts(namespace, labels, governing);
  }

  synced(): boolean {
    return true;
  }

  states(): TrafficSourceState[] {
    return [];
  }

  start(): void {}

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
