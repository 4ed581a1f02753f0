// The cluster settings in force: parsed from --config at start (a bad file stops the start), then
// reloaded whenever the file changes; a bad, missing or too large file keeps the last good
// settings, and so does an emptied one while the last good file held settings (an empty file is
// every default: `targets` and `excludeNamespaces` would be lost without anyone having meant it).
import type { Logger } from 'pino';
import { MAX_SETTINGS_BYTES } from '../settings/bounds.js';
import { parseClusterSettings, type ClusterSettings } from '../settings/cluster-settings.js';
import { readBounded } from './bounded-read.js';
import { watchFiles, type FileWatch } from './file-watch.js';
import type { Metrics } from '../metrics/metrics.js';

export class ConfigError extends Error {}

export class SettingsStore {
  private watcher?: FileWatch;
  /** Whether the settings in force came from a file that held settings (not an empty one). */
  private fromSettings: boolean;

  private constructor(
    private settings: ClusterSettings,
    empty: boolean,
    private readonly file: string | undefined,
    private readonly ownNamespace: string | undefined,
    private readonly initial: Buffer,
  ) {
    this.fromSettings = !empty;
  }

  /** Reads and parses the file (or the defaults without one); throws ConfigError naming every problem. */
  static async open(file: string | undefined, ownNamespace: string | undefined): Promise<SettingsStore> {
    let text: Buffer = Buffer.alloc(0);
    if (file) {
      try {
        text = await readBounded(file, MAX_SETTINGS_BYTES);
      } catch (err) {
        throw new ConfigError(`--config ${file}: ${(err as Error).message}`);
      }
    }
    const parsed = parseClusterSettings(text.toString('utf8'), ownNamespace);
    if (!parsed.ok) throw new ConfigError(`--config ${file}: ${parsed.error.join('; ')}`);
    return new SettingsStore(parsed.value.settings, parsed.value.empty, file, ownNamespace, text);
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
      maxBytes: MAX_SETTINGS_BYTES,
      onChange: ([content]) => {
        const parsed = parseClusterSettings((content ?? Buffer.alloc(0)).toString('utf8'), this.ownNamespace);
        if (parsed.ok && parsed.value.empty && this.fromSettings) {
          metrics.configReloads.inc({ result: 'failure' });
          log.error(
            { file },
            'cluster settings not reloaded: the file is now empty (no settings); keeping the last good settings ' +
              '(to go back to every default, write a file that says so, e.g. "targets: both")',
          );
        } else if (parsed.ok) {
          const { settings, empty } = parsed.value;
          this.settings = settings;
          this.fromSettings = !empty;
          metrics.configReloads.inc({ result: 'success' });
          log.info(
            { file, targets: settings.targets, invalidAnnotations: settings.invalidAnnotations },
            'cluster settings reloaded',
          );
        } else {
          metrics.configReloads.inc({ result: 'failure' });
          log.error(
            { file, errors: parsed.error },
            'cluster settings not reloaded: the file is invalid; keeping the last good settings',
          );
        }
      },
      onError: (err) => {
        metrics.configReloads.inc({ result: 'failure' });
        log.warn({ file, err }, 'cannot read the config file; keeping the last good settings');
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
