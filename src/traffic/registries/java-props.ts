// `-D` system properties in a container: in the JVM's option variables (JAVA_TOOL_OPTIONS,
// JDK_JAVA_OPTIONS, JAVA_OPTS) and in its command and args. Only literal values are read: an env
// var from a ConfigMap or Secret is not known at admission.
import type { Container } from '../../kube/pod-types.js';

export const JVM_OPTION_VARS = ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', 'JAVA_OPTS'] as const;

/** Longest text read from one variable or argument: options lists are short; anything longer is cut. */
const MAX_TEXT = 64 * 1024;

/** The container's literal environment variables (later entries win, as in the kubelet). */
export function literalEnv(container: Container): Map<string, string> {
  const env = new Map<string, string>();
  const list = (container as { env?: unknown }).env;
  if (!Array.isArray(list)) return env;
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { name, value } = item as { name?: unknown; value?: unknown };
    if (typeof name === 'string' && typeof value === 'string') env.set(name, value.slice(0, MAX_TEXT));
  }
  return env;
}

/** `-Dkey=value` pairs from the JVM option variables, then the command and args (later wins). */
export function systemProperties(container: Container, env: Map<string, string>): Map<string, string> {
  const props = new Map<string, string>();
  const words: string[] = [];
  for (const name of JVM_OPTION_VARS) {
    const text = env.get(name);
    if (text) words.push(...text.split(/\s+/));
  }
  for (const list of [container.command, container.args] as unknown[]) {
    if (!Array.isArray(list)) continue;
    for (const arg of list as unknown[]) if (typeof arg === 'string') words.push(...arg.slice(0, MAX_TEXT).split(/\s+/));
  }
  for (const word of words) {
    const m = /^["']?-D([A-Za-z0-9_.-]+)=(.*?)["']?$/.exec(word);
    if (m?.[1] !== undefined && m[2] !== undefined) props.set(m[1], m[2]);
  }
  return props;
}
