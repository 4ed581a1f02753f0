// Adds what a pod template lacks, one rule at a time: preStop hooks, probes, the grace period and
// minReadySeconds, each noted in a new record. Works on the admission's working copy, in place.
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { InjectionSettings } from '../settings/types.js';
import type { TrafficFacts } from '../traffic/types.js';
import type { KubeVersion } from './kube-version.js';
import type { FingerprintMemo } from './record/fingerprint.js';
import { addUnlessPresent } from './record/items.js';
import { emptyRecord, type InjectionRecord } from './record/record.js';
import { selectContainers } from './rules/containers.js';
import { decideGracePeriod, longestUserSleep } from './rules/grace-period.js';
import { decideMinReadySeconds } from './rules/min-ready-seconds.js';
import { effectiveMode, preStopHandler } from './rules/prestop.js';
import { decideSleep, type SleepInput } from './rules/sleep.js';
import { handlerOf, readinessHandler, readinessProbe, startupProbe } from './rules/probes.js';
import { planReadiness, type ReadinessContext } from './rules/readiness.js';
import { applyShutdownPath, shutdownWarnings } from './shutdown-path.js';
import { planRegistry } from '../traffic/registries/plan.js';
import { formatDuration } from '../settings/duration.js';
import { hasValue, readValue, writeValue, type ValueField, type Work } from './work.js';

export interface InjectContext {
  settings: InjectionSettings;
  cluster: ClusterSettings;
  kubeVersion: KubeVersion | undefined;
  /** What sends the pod traffic, for `pre-stop-sleep: auto`. */
  traffic?: TrafficFacts;
  /** An earlier pass's `auto` decision and how to use it (see admit.ts). */
  earlierSleep?: SleepInput['earlier'];
  /** A workload's CREATE or UPDATE (an `auto` sleep above propagationDelay is announced). */
  announce?: boolean;
  /** Fingerprints of this admission (see FingerprintMemo). */
  memo?: FingerprintMemo;
  /** What the readiness rule needs of the object beyond its template (see rules/readiness-gate.ts). */
  readiness?: ReadinessContext;
  /** The Namespace's labels and annotations (mesh detection). */
  namespaceLabels?: Record<string, string>;
  namespaceAnnotations?: Record<string, string>;
}

/** The conditionTypes of a pod spec's readinessGates (load balancers' gates, see traffic/advice.ts). */
function readinessGateTypes(spec: unknown): string[] {
  const gates = (spec as { readinessGates?: unknown } | undefined)?.readinessGates;
  if (!Array.isArray(gates)) return [];
  return gates.map((g) => (g as { conditionType?: unknown })?.conditionType).filter((c): c is string => typeof c === 'string');
}

export interface InjectOutcome {
  record: InjectionRecord;
  warnings: string[];
  /** The family that decided an `auto` sleep (for the metric). */
  sleepFamily?: string;
}

/** The exec hook runs /bin/sh: in an image without one (distroless, scratch) it fails, and only an event says so. */
export const EXEC_NEEDS_SHELL =
  'pre-stop-mode exec runs /bin/sh -c sleep: an image without a shell fails the hook; for one set pre-stop-mode: none';

export function injectTemplate(work: Work, ctx: InjectContext): InjectOutcome {
  const { settings, cluster, memo } = ctx;
  const template = work.template;
  const record = emptyRecord();
  const selection = selectContainers(template.spec, settings.containers, cluster.excludeContainers);
  const warnings = [...selection.warnings];
  const mode = effectiveMode(settings.preStopMode, ctx.kubeVersion);
  const sleep = decideSleep({
    setting: settings.preStopSleep,
    traffic: ctx.traffic,
    cluster,
    exactGrace: settings.terminationGracePeriod,
    earlier: ctx.earlierSleep,
    announce: ctx.announce ?? false,
    namespaceLabels: ctx.namespaceLabels,
    readinessGates: readinessGateTypes(template.spec),
  });
  if (mode !== 'none' && settings.preStopSleep !== 0) warnings.push(...sleep.warnings);
  const hook = preStopHandler(mode, sleep.seconds);
  // Only a path's decision is recorded: one by propagationDelay leaves the record as it always was.
  if (hook && sleep.auto && sleep.auto.by !== 'propagationDelay') record.sleep = { seconds: sleep.seconds, by: sleep.auto.by };

  const readiness = planReadiness(template.spec, selection.containers, settings, ctx.traffic, ctx.readiness);
  warnings.push(...readiness.warnings);
  let wroteHook = false;
  for (const container of selection.containers) {
    // One hook object per container (none when the mode or the sleep asks for no hook).
    if (addUnlessPresent(record, container, 'preStop', () => preStopHandler(mode, sleep.seconds), memo)) wroteHook = true;
    addUnlessPresent(
      record,
      container,
      'readinessProbe',
      () => {
        if (!readiness.probes.has(container)) return undefined;
        const choice = readinessHandler(container, settings, readiness.probes.get(container));
        if (choice.warning) warnings.push(choice.warning);
        return choice.handler ? readinessProbe(choice.handler, settings) : undefined;
      },
      memo,
    );
    const timeout = settings.startupTimeout;
    if (timeout !== undefined) {
      addUnlessPresent(
        record,
        container,
        'startupProbe',
        () => {
          const handler = container.readinessProbe ? handlerOf(container.readinessProbe) : undefined;
          return handler ? startupProbe(handler, settings, timeout) : undefined;
        },
        memo,
      );
    }
  }

  // A size is reported only when a hook of that size was written (a container may keep its own).
  if (wroteHook) warnings.push(...sleep.sizeWarnings, ...(mode === 'exec' ? [EXEC_NEEDS_SHELL] : []));

  // A registry client leaves at SIGTERM, waits, then drains: its wait is part of what the app needs after SIGTERM.
  const registry = planRegistry(selection.containers, settings);
  if (registry) warnings.push(...registry.warnings);
  const afterTerm =
    registry && registry.wait > 0 ? { ...settings, drainTimeout: settings.drainTimeout + registry.wait } : settings;
  const path = applyShutdownPath(
    work,
    record,
    selection.containers,
    {
      ...ctx,
      settings: afterTerm,
      namespaceLabels: ctx.namespaceLabels ?? {},
      namespaceAnnotations: ctx.namespaceAnnotations ?? {},
    },
    hook ? sleep.seconds : 0,
  );
  const grace = decideGracePeriod({
    current: readValue(work, 'terminationGracePeriodSeconds'),
    preStopSleep: hook ? sleep.seconds : 0,
    drainTimeout: afterTerm.drainTimeout,
    exact: settings.terminationGracePeriod,
    max: cluster.maxTerminationGracePeriod,
    userSleep: longestUserSleep(template.spec, new Set(record.added.preStop ?? [])),
    sidecarDrain: path.sidecarDrain,
    proxyWait: path.proxyWait,
  });
  warnings.push(
    ...grace.warnings,
    ...path.warnings,
    ...shutdownWarnings(selection.containers, grace.seconds, cluster, ctx.readiness?.shape.runsToCompletion),
  );
  if (path.budget) record.budget = path.budget;
  if (registry && registry.wait > 0) {
    const d = formatDuration;
    const own = `${registry.name} wait ${d(registry.wait)}`;
    const line = `sleep ${d(hook ? sleep.seconds : 0)} + ${own} + drain ${d(settings.drainTimeout)} = ${d((hook ? sleep.seconds : 0) + afterTerm.drainTimeout)}`;
    record.budget = path.budget ? `${path.budget}; drain includes ${own}` : line;
  }
  setValue(work, record, 'terminationGracePeriodSeconds', grace.seconds);
  if (hasValue(work, 'minReadySeconds')) {
    setValue(
      work,
      record,
      'minReadySeconds',
      decideMinReadySeconds(readValue(work, 'minReadySeconds'), settings.minReadySeconds),
    );
  }
  return { record, warnings, ...(hook && sleep.auto ? { sleepFamily: sleep.auto.family } : {}) };
}

/** Writes a value and records from/to, when it differs from what the work holds; undefined leaves it. */
function setValue(work: Work, record: InjectionRecord, field: ValueField, value: number | undefined): void {
  const current = readValue(work, field);
  if (value === undefined || value === current) return;
  record[field] = { from: current ?? null, to: value };
  writeValue(work, field, value);
}
