// What a registry asks of the shutdown: the app leaves the registry when SIGTERM arrives, waits,
// then stops. A preStop sleep cannot make it leave earlier (it only delays SIGTERM), so the grace
// period must cover the sleep, the framework's own wait after leaving, and the drain; and when that
// wait is shorter than its consumers' refresh, consumers go on calling a stopped app: a warning
// names the setting to change. gracekeeper writes no "offline" call into the hook (docs/registries.md).
import { formatDuration } from '../../settings/duration.js';
import type { InjectionSettings } from '../../settings/types.js';
import type { Container } from '../../kube/pod-types.js';
import { findRegistries, type Finding } from './detect.js';

export interface RegistryPlan {
  /** The framework that decided, e.g. "nacos". */
  name: string;
  /** Seconds the app waits after leaving the registry: the grace period adds them. */
  wait: number;
  warnings: string[];
}

type Settings = Pick<InjectionSettings, 'registry' | 'registryWait' | 'registryRefresh'>;

/** undefined: no registry (none named, none detected, or `registry: none`). */
export function planRegistry(containers: readonly Container[], settings: Settings): RegistryPlan | undefined {
  if (settings.registry === 'none') return undefined;
  const named = settings.registry === 'auto' ? undefined : settings.registry;
  const findings = findRegistries(containers, named);
  if (findings.length === 0) return undefined;
  let longest: { finding: Finding; wait: number } | undefined;
  const warnings: string[] = [];
  const warned = new Set<string>();
  for (const finding of findings) {
    const wait = settings.registryWait ?? finding.configuredWait ?? finding.framework.wait;
    if (!longest || wait > longest.wait) longest = { finding, wait };
    const text = shortWaitWarning(finding, wait, settings.registryRefresh);
    if (text && !warned.has(text)) {
      warned.add(text);
      warnings.push(text);
    }
  }
  if (!longest) return undefined;
  return { name: longest.finding.framework.name, wait: longest.wait, warnings };
}

/** A warning when the app stops before its consumers have stopped calling it; undefined when the wait covers it. */
export function shortWaitWarning(finding: Finding, wait: number, refreshOverride: number | undefined): string | undefined {
  const f = finding.framework;
  const refresh = refreshOverride ?? f.refresh;
  const stops = wait === 0 ? `${f.name} stops as it leaves` : `${f.name} stops ${formatDuration(wait)} after leaving`;
  if (refresh === undefined) return wait > 0 ? undefined : `${stops}, consumers may still call it: ${f.advice}`;
  if (wait >= refresh) return undefined;
  return `${stops}, consumers refresh ${formatDuration(refresh)}: ${f.advice}`;
}
