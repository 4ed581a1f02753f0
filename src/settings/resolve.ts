// Layers annotations over a base of settings; collects every error and every unknown key.
import { formatDuration } from './duration.js';
import { KNOWN_NAMES, PREFIX, VALIDATOR_BY_NAME } from './keys.js';
import { nearestKey } from './nearest-key.js';
import type { AnnotationLayer, InjectionSettings, SettingError, UnknownKey } from './types.js';

/** No valid value is longer (the longest, readiness-path, is limited to as much): longer ones are invalid. */
export const MAX_VALUE_LENGTH = 2048;

export interface ResolvedSettings {
  settings: InjectionSettings;
  errors: SettingError[];
  unknown: UnknownKey[];
}

/**
 * Applies each layer in order (lowest precedence first). An invalid value is reported and
 * ignored, so the value from a lower layer stays in effect.
 */
export function resolveSettings(base: Readonly<InjectionSettings>, layers: readonly AnnotationLayer[]): ResolvedSettings {
  const settings: InjectionSettings = { ...base };
  const errors: SettingError[] = [];
  const unknown: UnknownKey[] = [];
  let tgpsSource: AnnotationLayer['source'] | undefined;
  let tgpsRaw = '';
  for (const layer of layers) {
    const annotations = layer.annotations;
    if (!annotations) continue;
    for (const key of Object.keys(annotations)) {
      if (!key.startsWith(PREFIX)) continue;
      const name = key.slice(PREFIX.length);
      const raw = annotations[key] ?? '';
      if (name === 'injected') continue;
      const validator = VALIDATOR_BY_NAME.get(name);
      if (!validator) {
        unknown.push({ key, source: layer.source, suggestion: suggestion(name) });
        continue;
      }
      const value = String(raw).length > MAX_VALUE_LENGTH ? undefined : validator.parse(String(raw));
      if (value === undefined) {
        errors.push({ key, value: String(raw), accepted: validator.accepted, source: layer.source });
        continue;
      }
      (settings as unknown as Record<string, unknown>)[validator.field] = value;
      if (validator.field === 'terminationGracePeriod') {
        tgpsSource = layer.source;
        tgpsRaw = String(raw);
      }
    }
  }
  checkGracePeriod(settings, errors, tgpsSource, tgpsRaw);
  return { settings, errors, unknown };
}

/** termination-grace-period must leave room for the preStop sleep; otherwise it is dropped. */
function checkGracePeriod(
  settings: InjectionSettings,
  errors: SettingError[],
  source: AnnotationLayer['source'] | undefined,
  raw: string,
): void {
  const tgps = settings.terminationGracePeriod;
  // With `auto` the sleep is known only at admission, where it is kept under the grace period.
  if (tgps === undefined || settings.preStopSleep === 'auto' || tgps > settings.preStopSleep) return;
  errors.push({
    key: `${PREFIX}termination-grace-period`,
    value: raw || formatDuration(tgps),
    accepted: `a duration greater than pre-stop-sleep (${formatDuration(settings.preStopSleep)})`,
    source: source ?? 'cluster',
  });
  delete settings.terminationGracePeriod;
}

function suggestion(name: string): string | undefined {
  const nearest = nearestKey(name, KNOWN_NAMES);
  return nearest === undefined ? undefined : `${PREFIX}${nearest}`;
}

/** At most this many characters of a bad value are quoted in a message (a denial, a warning, stderr). */
export const QUOTED_VALUE_CHARS = 64;

/** A value as a JSON string, cut to its first QUOTED_VALUE_CHARS characters (and its length said) when longer. */
export function quoteValue(value: string): string {
  if (value.length <= QUOTED_VALUE_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTED_VALUE_CHARS))}... (${value.length} characters)`;
}

/** One line naming a bad key, its value and the accepted form. */
export function describeError(error: SettingError): string {
  return `${error.key}=${quoteValue(error.value)}: expected ${error.accepted}`;
}

export function describeUnknown(unknown: UnknownKey): string {
  const hint = unknown.suggestion ? `; did you mean ${unknown.suggestion}?` : '';
  return `unknown annotation ${unknown.key}${hint}`;
}
