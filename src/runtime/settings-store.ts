// The cluster settings in force: parsed from --config at start (a bad file stops the start), then
// reloaded whenever the file changes; a bad or missing file keeps the last good settings.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { parseClusterSettings, type ClusterSettings } from '../settings/cluster-settings.js';
import { watchFiles, type FileWatch } from './file-watch.js';
import type { Metrics } from './metrics.js';

export class ConfigError extends Error {}

export class SettingsStore {
  private watcher?: FileWatch;

  private constructor(
    private settings: ClusterSettings,
    private readonly file: string | undefined,
    private readonly ownNamespace: string | undefined,
    private readonly initial: Buffer,
  ) {}

  /** Reads and parses the file (or the defaults without one); throws ConfigError naming every problem. */
  static async open(file: string | undefined, ownNamespace: string | undefined): Promise<SettingsStore> {
    let text = Buffer.alloc(0);
    if (file) {
      try {
        text = await readFile(file);
      } catch (err) {
        throw new ConfigError(`--config ${file}: ${(err as Error).message}`);
      }
    }
    const parsed = parseClusterSettings(text.toString('utf8'), ownNamespace);
    if (!parsed.ok) throw new ConfigError(`--config ${file}: ${parsed.errors.join('; ')}`);
    return new SettingsStore(parsed.settings, file, ownNamespace, text);
  }

  current(): ClusterSettings {
    return this.settings;
  }

  /** Starts reloading on change (no-op without a file). */
  watch(intervalMs: number, log: Logger, metrics: Metrics): void {
    const file = this.file;
    if (!file || this.watcher) return;
    this.watcher = watchFiles([file], {
      intervalMs,
      initial: [this.initial],
      onChange: ([content]) => {
        const parsed = parseClusterSettings((content ?? Buffer.alloc(0)).toString('utf8'), this.ownNamespace);
        if (parsed.ok) {
          this.settings = parsed.settings;
          metrics.configReloads.inc({ result: 'success' });
          log.info(
            { file, targets: parsed.settings.targets, invalidAnnotations: parsed.settings.invalidAnnotations },
            'cluster settings reloaded',
          );
        } else {
          metrics.configReloads.inc({ result: 'failure' });
          log.error(
            { file, errors: parsed.errors },
            'cluster settings not reloaded: the file is invalid; keeping the last good settings',
          );
        }
      },
      onError: (err) => {
        metrics.configReloads.inc({ result: 'failure' });
        log.warn({ file, err: err.message }, 'cannot read the config file; keeping the last good settings');
      },
    });
  }

  /** Checks the file now (for tests and callers that know it changed). */
  async check(): Promise<void> {
    await this.watcher?.check();
  }

  close(): void {
    this.watcher?.close();
  }
}
