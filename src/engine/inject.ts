// Adds what a pod template lacks: preStop hooks, probes, a grace period, and the record of it.
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { InjectionSettings } from '../settings/types.js';
import { selectContainers } from './rules/containers.js';
import { copyOf } from './copy.js';
import { fingerprint, probeFingerprint, type FingerprintMemo } from './record/fingerprint.js';
import { clampSleep, decideGracePeriod } from './rules/grace-period.js';
import type { Container, Handler, PodTemplate } from './pod-types.js';
import { effectiveMode, preStopHandler } from './rules/prestop.js';
import { handlerOf, readinessHandler, readinessProbe, startupProbe } from './rules/probes.js';
import { emptyRecord, noteItem, type InjectionRecord, type Item } from './record/record.js';
import type { KubeVersion } from './types.js';

export interface InjectContext {
  settings: InjectionSettings;
  cluster: ClusterSettings;
  kubeVersion: KubeVersion | undefined;
  /** Fingerprints of this admission (see FingerprintMemo). */
  memo?: FingerprintMemo;
}

export interface InjectOutcome {
  record: InjectionRecord;
  warnings: string[];
}

/** Mutates `template` (a copy) in place; returns the record of what it did. */
export function injectTemplate(template: PodTemplate, ctx: InjectContext): InjectOutcome {
  const { settings, cluster } = ctx;
  const record = emptyRecord();
  const selection = selectContainers(template.spec, settings.containers, cluster.excludeContainers);
  const warnings = [...selection.warnings];
  const mode = effectiveMode(settings.preStopMode, ctx.kubeVersion);
  const sleep = clampSleep(settings.preStopSleep, cluster.maxTerminationGracePeriod);
  if (sleep.warning && mode !== 'none' && settings.preStopSleep > 0) warnings.push(sleep.warning);
  const wantsHook = preStopHandler(mode, sleep.seconds) !== undefined;

  for (const container of selection.containers) {
    if (container.lifecycle?.preStop) noteItem(record, 'kept', 'preStop', container.name);
    else if (wantsHook) {
      const handler = preStopHandler(mode, sleep.seconds) as Handler;
      const lifecycle = copyOf(container.lifecycle ?? {});
      lifecycle.preStop = handler;
      container.lifecycle = lifecycle;
      added(record, container, 'preStop', fingerprint(handler, ctx.memo));
    }
    if (container.readinessProbe) noteItem(record, 'kept', 'readinessProbe', container.name);
    else {
      const choice = readinessHandler(container, settings);
      if (choice.warning) warnings.push(choice.warning);
      if (choice.handler) {
        container.readinessProbe = readinessProbe(choice.handler, settings);
        added(record, container, 'readinessProbe', probeFingerprint(container.readinessProbe, ctx.memo));
      }
    }
    if (settings.startupTimeout !== undefined) addStartupProbe(container, settings, settings.startupTimeout, record, ctx.memo);
  }

  const spec = template.spec;
  const grace = decideGracePeriod({
    current: spec.terminationGracePeriodSeconds,
    preStopSleep: wantsHook ? sleep.seconds : 0,
    drainTimeout: settings.drainTimeout,
    exact: settings.terminationGracePeriod,
    max: cluster.maxTerminationGracePeriod,
    userSleep: longestUserSleep(template, record),
  });
  warnings.push(...grace.warnings);
  if (grace.seconds !== spec.terminationGracePeriodSeconds) {
    record.terminationGracePeriodSeconds = { from: spec.terminationGracePeriodSeconds ?? null, to: grace.seconds };
    spec.terminationGracePeriodSeconds = grace.seconds;
  }
  return { record, warnings };
}

function addStartupProbe(
  container: Container,
  settings: InjectionSettings,
  timeout: number,
  record: InjectionRecord,
  memo: FingerprintMemo | undefined,
): void {
  if (container.startupProbe) {
    noteItem(record, 'kept', 'startupProbe', container.name);
    return;
  }
  const handler = container.readinessProbe ? handlerOf(container.readinessProbe) : undefined;
  if (!handler) return;
  container.startupProbe = startupProbe(handler, settings, timeout);
  added(record, container, 'startupProbe', probeFingerprint(container.startupProbe, memo));
}

/** The longest sleep action in hooks gracekeeper did not write (the API server checks them against the grace period). */
function longestUserSleep(template: PodTemplate, record: InjectionRecord): number {
  const ours = new Set(record.added.preStop ?? []);
  let longest = 0;
  for (const c of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
    for (const hook of ['preStop', 'postStart'] as const) {
      if (hook === 'preStop' && ours.has(c.name)) continue;
      const seconds = (c.lifecycle?.[hook] as { sleep?: { seconds?: unknown } } | undefined)?.sleep?.seconds;
      if (typeof seconds === 'number') longest = Math.max(longest, seconds);
    }
  }
  return longest;
}

function added(record: InjectionRecord, container: Container, item: Item, print: string): void {
  noteItem(record, 'added', item, container.name);
  record.fingerprints[`${container.name}/${item}`] = print;
}
