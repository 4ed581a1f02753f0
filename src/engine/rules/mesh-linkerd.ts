// Linkerd: a pod is meshed by the annotation linkerd.io/inject: enabled (or ingress) on its template
// or its Namespace, unless the template says disabled (linkerd.io/2/features/proxy-injection). The
// proxy's wait is the annotation config.alpha.linkerd.io/proxy-wait-before-exit-seconds: a preStop
// hook on the proxy that delays its SIGTERM, up to the pod's grace period; with
// proxy-enable-native-sidecar the proxy is a native sidecar and the wait "should not be used"
// (linkerd.io/2/reference/proxy-configuration). The injector turns the annotation into a preStop
// hook on the proxy (`/bin/sleep N`, charts/partials/templates/_proxy.tpl) when it injects, and
// only then: a manifest injected beforehand (`linkerd inject` output kept in Git) is never
// injected again, so an annotation written onto it would do nothing (linkerd.io's "Graceful Pod
// Shutdown": use --wait-before-exit-seconds with linkerd inject).
import { proxyPlacement, shortWaitWarning, type PodFacts, type ProxyMode, type WaitPlan } from './mesh.js';

export const LINKERD_PROXY = 'linkerd-proxy';
export const LINKERD_WAIT = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
const INJECT = 'linkerd.io/inject';
const NATIVE = ['config.beta.linkerd.io/proxy-enable-native-sidecar', 'config.alpha.linkerd.io/proxy-enable-native-sidecar'];
/** The Namespace annotations these rules read (the Namespace cache keeps exactly these, besides gracekeeper.io/). */
export const LINKERD_NAMESPACE_ANNOTATIONS: readonly string[] = [INJECT, LINKERD_WAIT, ...NATIVE];

export function linkerdMode(pod: PodFacts): ProxyMode {
  const placed = proxyPlacement(pod.spec, LINKERD_PROXY);
  if (placed) return placed;
  const own = pod.annotations[INJECT];
  if (own === 'disabled') return 'off';
  const meshed = isOn(own) || (own === undefined && isOn(pod.namespaceAnnotations[INJECT]));
  if (!meshed) return 'off';
  const native = nativeSetting(pod.annotations) ?? nativeSetting(pod.namespaceAnnotations);
  return native === true ? 'native' : 'classic';
}

function isOn(value: string | undefined): boolean {
  return value === 'enabled' || value === 'ingress';
}

function nativeSetting(annotations: Record<string, string>): boolean | undefined {
  for (const key of NATIVE) {
    const value = annotations[key]?.trim().toLowerCase();
    if (value === 'true' || value === 'false') return value === 'true';
  }
  return undefined;
}

/** The wait for `needed` seconds: written on the template, unless the template or the Namespace already says one. */
export function linkerdWait(pod: PodFacts, needed: number): WaitPlan {
  const own = pod.annotations[LINKERD_WAIT] ?? pod.namespaceAnnotations[LINKERD_WAIT];
  const injected = pod.spec.containers.find((c) => c.name === LINKERD_PROXY);
  if (own === undefined && injected) return injectedWait(injected.lifecycle?.preStop, needed);
  if (own === undefined) return { write: String(needed) };
  const seconds = /^\s*\d{1,9}\s*$/.test(own) ? Number(own) : undefined;
  const warning =
    seconds === undefined
      ? `${LINKERD_WAIT} is not whole seconds; write one such as 30`
      : shortWaitWarning('proxy-wait-before-exit-seconds', seconds, needed);
  return warning ? { kept: seconds, warning } : { kept: seconds };
}

/** A proxy already injected: its wait is its own preStop hook, or there is none and the advice says how to get one. */
function injectedWait(hook: unknown, needed: number): WaitPlan {
  if (!hook) {
    return {
      kept: undefined,
      warning: `linkerd-proxy injected with no wait (annotations act only at injection): re-inject with --wait-before-exit-seconds=${needed}`,
    };
  }
  const seconds = hookSeconds(hook);
  const warning = seconds === undefined ? undefined : shortWaitWarning('linkerd-proxy preStop', seconds, needed);
  return warning ? { kept: seconds, warning } : { kept: seconds };
}

/** The seconds a preStop hook sleeps: a native sleep, or a command ending in `sleep N` (as the injector writes). */
function hookSeconds(hook: unknown): number | undefined {
  const h = hook as { sleep?: { seconds?: unknown }; exec?: { command?: unknown } };
  if (typeof h.sleep?.seconds === 'number') return h.sleep.seconds;
  const command = Array.isArray(h.exec?.command) ? h.exec.command.filter((part) => typeof part === 'string') : [];
  const match = /(?:^|[\s/])sleep\s+"?(\d{1,9})"?$/.exec(command.join(' ').trim());
  return match ? Number(match[1]) : undefined;
}
