// Istio: a pod is meshed when its template is labelled sidecar.istio.io/inject: "true", or its
// Namespace is labelled istio-injection: enabled or istio.io/rev, unless the template says "false"
// (or the Namespace istio-injection: disabled). The proxy's wait is ProxyConfig's
// terminationDrainDuration, "the amount of time allowed for connections to complete on proxy
// shutdown" (default 5s), set per pod in the annotation proxy.istio.io/config as YAML or JSON
// (istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig). Native-sidecar mode:
// an istio-proxy already placed as an init container with restartPolicy: Always, or the annotation
// sidecar.istio.io/nativeSidecar, which wins over istiod's ENABLE_NATIVE_SIDECARS (invisible at
// admission: the cluster setting istioNativeSidecars says it).
import { parse as parseYaml } from 'yaml';
import { parseDurationMs } from '../../settings/duration.js';
import { isRecord } from '../../kube/pod-types.js';
import { proxyPlacement, shortWaitWarning, type PodFacts, type ProxyMode, type WaitPlan } from './mesh.js';

export const ISTIO_PROXY = 'istio-proxy';
export const ISTIO_PROXY_CONFIG = 'proxy.istio.io/config';
const INJECT = 'sidecar.istio.io/inject';
const NATIVE = 'sidecar.istio.io/nativeSidecar';
const STATUS = 'sidecar.istio.io/status';
const FIELD = 'terminationDrainDuration';
/** A ProxyConfig longer than this is not merged into (the record keeps the text it had). */
export const MAX_PROXY_CONFIG_CHARS = 4096;

/** `nativeByDefault`: the cluster setting istioNativeSidecars (istiod's ENABLE_NATIVE_SIDECARS). */
export function istioMode(pod: PodFacts, nativeByDefault = false): ProxyMode {
  const placed = proxyPlacement(pod.spec, ISTIO_PROXY);
  if (placed) return placed;
  const own = pod.labels[INJECT] ?? pod.annotations[INJECT];
  const injected = pod.annotations[STATUS] !== undefined;
  const ns = pod.namespaceLabels;
  const byNamespace =
    ns['istio-injection'] === 'enabled' || (ns['istio.io/rev'] !== undefined && ns['istio-injection'] !== 'disabled');
  const meshed = injected || (own !== 'false' && (byNamespace || (own === 'true' && ns['istio-injection'] !== 'disabled')));
  if (!meshed) return 'off';
  const native = pod.annotations[NATIVE]?.trim().toLowerCase();
  return native === 'true' || (nativeByDefault && native !== 'false') ? 'native' : 'classic';
}

/** terminationDrainDuration of `needed` seconds merged into the ProxyConfig text, or the user's own value kept. */
export function istioWait(text: string | undefined, needed: number): WaitPlan {
  const value = `${needed}s`;
  if (text === undefined || text.trim() === '') return { write: `${FIELD}: ${value}` };
  const cannot = ISTIO_PROXY_CONFIG;
  if (text.length > MAX_PROXY_CONFIG_CHARS) return { warning: `${cannot} is too long to merge into; set ${FIELD} yourself` };
  const config = readConfig(text);
  if (!config) return { warning: `${cannot} is not a YAML or JSON mapping; set ${FIELD} yourself` };
  if (config[FIELD] !== undefined) {
    const ms = typeof config[FIELD] === 'string' ? parseDurationMs(config[FIELD]) : undefined;
    if (ms === undefined) return { kept: undefined, warning: `${cannot} ${FIELD} is not a duration; write one such as 30s` };
    const seconds = Math.ceil(ms / 1000);
    const warning = shortWaitWarning(FIELD, seconds, needed);
    return warning ? { kept: seconds, warning } : { kept: seconds };
  }
  const merged = mergeField(text, value);
  const check = readConfig(merged);
  if (!check || check[FIELD] !== value || Object.keys(check).length !== Object.keys(config).length + 1) {
    return { warning: `${cannot} could not be merged into; set ${FIELD} yourself` };
  }
  return { write: merged };
}

function readConfig(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = parseYaml(text, { maxAliasCount: 0 });
    return isRecord(value) ? value : value === null ? {} : undefined;
  } catch {
    return undefined;
  }
}

/** The user's text with the field added, everything else as they wrote it: inside a flow mapping ({...}, JSON), or as a last line. */
function mergeField(text: string, value: string): string {
  const trimmed = text.trimEnd();
  if (trimmed.trimStart().startsWith('{') && trimmed.endsWith('}')) {
    const close = trimmed.length - 1;
    const inner = trimmed.slice(trimmed.indexOf('{') + 1, close).trim();
    const spaced = /[:,]\s/.test(inner);
    const entry = spaced ? `"${FIELD}": "${value}"` : `"${FIELD}":"${value}"`;
    const separator = spaced ? ', ' : ',';
    return `${trimmed.slice(0, close).trimEnd()}${inner === '' ? entry : `${separator}${entry}`}}${text.slice(trimmed.length)}`;
  }
  return text.endsWith('\n') ? `${text}${FIELD}: ${value}\n` : `${text}\n${FIELD}: ${value}`;
}
