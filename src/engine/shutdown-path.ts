// The pod's own shutdown path, after the hooks and probes: the mesh proxies' waits (written into the
// template's annotations), the stop signal, the native sidecars' drain, and the warnings where the
// app will not shut down gracefully whatever is injected. Works on the admission's working copy and
// notes every write in the record, so strip can take it back while it is still as written.
import { formatDuration } from '../settings/duration.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { InjectionSettings } from '../settings/types.js';
import type { KubeVersion } from './kube-version.js';
import type { Container } from '../kube/pod-types.js';
import { textFingerprint } from './record/fingerprint.js';
import { addUnlessPresent } from './record/items.js';
import type { InjectionRecord } from './record/record.js';
import type { PodFacts, WaitPlan } from './rules/mesh.js';
import { ISTIO_PROXY_CONFIG, istioMode, istioWait } from './rules/mesh-istio.js';
import { LINKERD_WAIT, linkerdMode, linkerdWait } from './rules/mesh-linkerd.js';
import { hasNativeSidecars, sidecarDrain } from './rules/native-sidecars.js';
import { nodeShutdownWarning } from './rules/node-shutdown.js';
import { argvOf, shellScriptAsPid1, shellWarning } from './rules/shell-pid1.js';
import { planStopSignal } from './rules/stop-signal.js';
import { writeAnnotation, type Work } from './work.js';

export interface ShutdownContext {
  settings: InjectionSettings;
  cluster: ClusterSettings;
  kubeVersion: KubeVersion | undefined;
  namespaceLabels: Record<string, string>;
  namespaceAnnotations: Record<string, string>;
}

export interface ShutdownPath {
  /** Seconds the grace period adds for native sidecars. */
  sidecarDrain: number;
  /** The longest wait of a classic mesh proxy (written, or the user's own): the grace period must outlast it. */
  proxyWait?: number;
  /** The budget in one line, when more than the sleep and the drain went into it. */
  budget?: string;
  warnings: string[];
}

/** `sleep`: the preStop sleep the app gets (0 without a hook). */
export function applyShutdownPath(
  work: Work,
  record: InjectionRecord,
  containers: readonly Container[],
  ctx: ShutdownContext,
  sleep: number,
): ShutdownPath {
  const { settings } = ctx;
  const warnings: string[] = [];
  const needed = sleep + settings.drainTimeout;
  const mesh = settings.mesh === 'none' ? { native: false } : applyMeshWaits(work, record, ctx, needed, warnings);
  const signal = planStopSignal(settings.stopSignal, ctx.cluster.stopSignals, ctx.kubeVersion, work.template.spec);
  if (!signal.write && signal.warning) warnings.push(signal.warning);
  if (signal.write && settings.stopSignal) {
    const wrote = writeStopSignals(record, containers, settings.stopSignal);
    if (wrote && signal.addLinuxOS) {
      work.template.spec.os = { name: 'linux' };
      record.podOS = 'linux';
      warnings.push('added spec.os.name: linux, which a stop signal requires; set spec.os yourself to choose');
    }
  }
  const sidecars = sidecarDrain(settings.sidecarDrainTimeout, hasNativeSidecars(work.template.spec) || mesh.native);
  const path: ShutdownPath = { sidecarDrain: sidecars, warnings };
  if (mesh.wait !== undefined) path.proxyWait = mesh.wait;
  if (sidecars > 0 || mesh.wait !== undefined) {
    const d = formatDuration;
    const parts = [
      `sleep ${d(sleep)}`,
      `drain ${d(settings.drainTimeout)}`,
      ...(sidecars > 0 ? [`sidecars ${d(sidecars)}`] : []),
    ];
    const sum = `${parts.join(' + ')} = ${d(needed + sidecars)}`;
    path.budget = mesh.wait === undefined ? sum : `${sum}; proxy wait ${d(mesh.wait)}`;
  }
  return path;
}

/**
 * Warnings that depend on the final grace period: a shell as process 1 (not for a pod that runs to
 * completion: it serves nothing, and most such scripts end long before anyone stops them), and
 * graceful node shutdown cutting it short.
 */
export function shutdownWarnings(
  containers: readonly Container[],
  grace: number,
  cluster: ClusterSettings,
  runsToCompletion = false,
): string[] {
  const warnings: string[] = [];
  for (const c of runsToCompletion ? [] : containers) {
    const finding = shellScriptAsPid1(argvOf(c.command, c.args));
    if (finding) warnings.push(shellWarning(c.name, finding));
  }
  const node = nodeShutdownWarning(grace, cluster.nodeShutdownGracePeriod);
  if (node) warnings.push(node);
  return warnings;
}

function applyMeshWaits(
  work: Work,
  record: InjectionRecord,
  ctx: ShutdownContext,
  needed: number,
  warnings: string[],
): { native: boolean; wait?: number } {
  const meta = work.template.metadata;
  const pod: PodFacts = {
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    namespaceLabels: ctx.namespaceLabels,
    namespaceAnnotations: ctx.namespaceAnnotations,
    spec: work.template.spec,
  };
  const istio = istioMode(pod, ctx.cluster.istioNativeSidecars);
  const linkerd = linkerdMode(pod);
  const out: { native: boolean; wait?: number } = { native: istio === 'native' || linkerd === 'native' };
  if (needed <= 0) return out;
  const waits: number[] = [];
  if (istio === 'classic') follow(istioWait(pod.annotations[ISTIO_PROXY_CONFIG], needed), ISTIO_PROXY_CONFIG);
  if (linkerd === 'classic') follow(linkerdWait(pod, needed), LINKERD_WAIT);
  if (waits.length > 0) out.wait = Math.max(...waits);
  return out;

  function follow(plan: WaitPlan, key: string): void {
    if ('write' in plan) {
      const from = work.template.metadata.annotations?.[key] ?? null;
      writeAnnotation(work, key, plan.write);
      (record.annotations ??= {})[key] = { from, fingerprint: textFingerprint(plan.write) };
      waits.push(needed);
      return;
    }
    if ('kept' in plan && plan.kept !== undefined) waits.push(plan.kept);
    if (plan.warning) warnings.push(plan.warning);
  }
}

function writeStopSignals(record: InjectionRecord, containers: readonly Container[], signal: string): boolean {
  let wrote = false;
  for (const c of containers) {
    if (addUnlessPresent(record, c, 'stopSignal', () => signal)) wrote = true;
  }
  return wrote;
}
