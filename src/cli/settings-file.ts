// The cluster settings file, as `gracekeeper mutate --config` and `gracekeeper audit --config` read
// it: one read, one parse, and an error that names the flag and the file. (`serve` reads the same
// file through runtime/settings-store.ts, bounded and reloaded when it changes.)
import { readFileSync } from 'node:fs';
import { parseClusterSettings, type ClusterSettings } from '../settings/cluster-settings.js';

/** The settings in `path`; throws an Error starting with `label` (the flag and the file) when they are bad. */
export function readSettingsFile(path: string, label: string): ClusterSettings {
  const parsed = parseClusterSettings(readFileSync(path, 'utf8'));
  if (!parsed.ok) throw new Error(`${label}: ${parsed.error.join('; ')}`);
  return parsed.value.settings;
}
