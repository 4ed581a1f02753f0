// The API server's version (for pre-stop-mode auto), read at start and every 10 minutes; sooner
// again after a failure. A release outside the tested ones is logged as a warning, once per version.
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { untestedReleaseWarning, versionFromInfo, type KubeVersion } from '../engine/kube-version.js';
import { backoffDelay, withTimeout } from './backoff.js';
import type { KubeSourceOptions } from './kube-options.js';
import type { VersionSource } from './sources.js';

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
      const parsed = versionFromInfo(info);
      if (!parsed) throw new Error(`unparsable version ${JSON.stringify(info.gitVersion)}`);
      if (!this.version || this.version.major !== parsed.major || this.version.minor !== parsed.minor) {
        this.options.log.info(
          { kubeVersion: `${parsed.major}.${parsed.minor}`, gitVersion: info.gitVersion },
          'API server version',
        );
        // Served all the same (refusing would stop the cluster's Pods, not protect them); said once.
        const untested = untestedReleaseWarning(parsed);
        if (untested) this.options.log.warn({ kubeVersion: `${parsed.major}.${parsed.minor}` }, untested);
      }
      this.version = parsed;
      this.failures = 0;
    } catch (err) {
      next = backoffDelay(this.failures++, this.options.backoffInitialMs ?? 500, this.options.backoffMaxMs ?? 30_000);
      this.options.log.warn({ err, retryInMs: next }, 'could not read the API server version');
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
