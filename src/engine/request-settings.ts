// The settings for one object: cluster defaults, then Namespace, workload and template annotations.
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { PREFIX } from '../settings/keys.js';
import { describeError, describeUnknown, resolveSettings } from '../settings/resolve.js';
import type { AnnotationLayer, InjectionSettings, SettingError } from '../settings/types.js';
import type { KindClass } from './kinds.js';
import { clip } from './warnings.js';

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
