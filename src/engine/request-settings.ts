// The settings for one object: cluster defaults, then Namespace, workload and template annotations.
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { PREFIX, VALIDATOR_BY_NAME } from '../settings/keys.js';
import { describeError, describeUnknown, MAX_VALUE_LENGTH, resolveSettings } from '../settings/resolve.js';
import type { AnnotationLayer, InjectionSettings, SettingError } from '../settings/types.js';
import type { KindClass } from './kinds.js';
import { clip } from '../kube/clip.js';

export interface RequestSettings {
  settings: InjectionSettings;
  warnings: string[];
  /** Set when a workload must be denied for invalid annotations. */
  denial?: string;
  invalidCount: number;
}

/** Only the gracekeeper.io/ keys of an annotation map (what the record carries to Pods). */
export function gracekeeperAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!annotations) return out;
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(PREFIX) && key !== `${PREFIX}injected` && key !== `${PREFIX}inject`) {
      out[key] = String(annotations[key]);
    }
  }
  return out;
}

/** Unknown gracekeeper.io/ keys the record carries to Pods (where they only repeat a warning): at most this many, ... */
const MAX_CARRIED_UNKNOWN = 16;
/** ... with values at most this long. */
const MAX_CARRIED_UNKNOWN_VALUE = 256;

/**
 * What the record carries of a workload's gracekeeper.io/ annotations for its Pods: every valid
 * value, and a few short unknown keys. Invalid values are left behind: the workload's own admission
 * reported them, and a Pod would ignore them the same way (the layer below applies). So the
 * record stays small whatever the workload holds (its annotations may take 256 KiB): a copy of a
 * huge value made a record too large to read back, and each ReplicaSet's admission then rewrote
 * its template (and the Deployment controller made another ReplicaSet, and so on).
 */
export function carriedAnnotations(workload: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let unknown = 0;
  for (const key of Object.keys(workload)) {
    const value = workload[key] as string;
    const validator = VALIDATOR_BY_NAME.get(key.slice(PREFIX.length));
    if (validator) {
      if (value.length <= MAX_VALUE_LENGTH && validator.parse(value) !== undefined) out[key] = value;
    } else if (unknown < MAX_CARRIED_UNKNOWN && value.length <= MAX_CARRIED_UNKNOWN_VALUE) {
      out[key] = value;
      unknown++;
    }
  }
  return out;
}

export function settingsFor(
  cluster: ClusterSettings,
  kindClass: KindClass,
  kindName: string,
  layers: AnnotationLayer[],
): RequestSettings {
  const resolved = resolveSettings(cluster.defaults, layers);
  const warnings: string[] = [];
  const ownErrors: SettingError[] = [];
  for (const error of resolved.errors) {
    if (error.source === 'namespace' || error.source === 'cluster') {
      warnings.push(clip(`ignored Namespace ${describeError(error)}`));
    } else ownErrors.push(error);
  }
  for (const unknown of resolved.unknown) warnings.push(clip(describeUnknown(unknown)));
  const result: RequestSettings = { settings: resolved.settings, warnings, invalidCount: resolved.errors.length };
  if (ownErrors.length === 0) return result;
  if (kindClass === 'workload' && cluster.invalidAnnotations === 'deny') {
    result.denial = `gracekeeper: invalid annotations on ${kindName}: ${ownErrors.map(describeError).join('; ')}`;
    return result;
  }
  for (const error of ownErrors) warnings.push(clip(`ignored ${describeError(error)}`));
  return result;
}
