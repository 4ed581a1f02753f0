// Cluster settings: the YAML config file, parsed once into a typed, frozen object.
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './duration.js';
import { PREFIX } from './keys.js';
import { describeError, describeUnknown, resolveSettings } from './resolve.js';
import { SPEC_DEFAULTS, type InjectionSettings } from './types.js';

export type Targets = 'pods' | 'workloads' | 'both';
export type InvalidAnnotationPolicy = 'deny' | 'warn';

export interface ClusterSettings {
  targets: Targets;
  invalidAnnotations: InvalidAnnotationPolicy;
  excludeContainers: readonly string[];
  maxTerminationGracePeriod: number;
  /** Namespaces never mutated, on top of the built-in ones. */
  excludeNamespaces: readonly string[];
  /** The namespace gracekeeper runs in: never mutated (no self-deadlock). */
  ownNamespace: string;
  /** Cluster-wide defaults for every annotation key. */
  defaults: Readonly<InjectionSettings>;
}

export const BUILT_IN_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

export const DEFAULT_CLUSTER_SETTINGS: Readonly<ClusterSettings> = Object.freeze({
  targets: 'both',
  invalidAnnotations: 'deny',
  excludeContainers: Object.freeze(['istio-proxy', 'linkerd-proxy']),
  maxTerminationGracePeriod: 600,
  excludeNamespaces: Object.freeze([]),
  ownNamespace: 'gracekeeper',
  defaults: SPEC_DEFAULTS,
});

export type ParseResult = { ok: true; settings: ClusterSettings } | { ok: false; errors: string[] };

export const TOP_LEVEL = [
  'targets',
  'invalidAnnotations',
  'excludeContainers',
  'maxTerminationGracePeriod',
  'excludeNamespaces',
  'namespace',
  'defaults',
];

/** Parses the config file's text; every problem is collected, none is fatal alone. */
export function parseClusterSettings(text: string, ownNamespace?: string): ParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    return { ok: false, errors: [`not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, errors: ['expected a YAML mapping of settings at the top level'] };
  }
  const raw = doc as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.includes(key)) errors.push(`unknown setting "${key}"; known: ${TOP_LEVEL.join(', ')}`);
  }
  const base = DEFAULT_CLUSTER_SETTINGS;
  const targets = pick(raw.targets, ['pods', 'workloads', 'both'] as const, base.targets, 'targets', errors);
  const invalidAnnotations = pick(
    raw.invalidAnnotations,
    ['deny', 'warn'] as const,
    base.invalidAnnotations,
    'invalidAnnotations',
    errors,
  );
  const excludeContainers = stringList(raw.excludeContainers, base.excludeContainers, 'excludeContainers', errors);
  const excludeNamespaces = stringList(raw.excludeNamespaces, base.excludeNamespaces, 'excludeNamespaces', errors);
  let maxTerminationGracePeriod = base.maxTerminationGracePeriod;
  if (raw.maxTerminationGracePeriod !== undefined) {
    const seconds =
      typeof raw.maxTerminationGracePeriod === 'string' || typeof raw.maxTerminationGracePeriod === 'number'
        ? parseDuration(String(raw.maxTerminationGracePeriod))
        : undefined;
    if (seconds === undefined || seconds < 2 || seconds > 86400) {
      errors.push(
        `maxTerminationGracePeriod=${JSON.stringify(raw.maxTerminationGracePeriod)}: expected a duration from 2s to 24h`,
      );
    } else maxTerminationGracePeriod = seconds;
  }
  // The namespace the pod really runs in (--namespace / POD_NAMESPACE) wins over the file's guess.
  if (raw.namespace !== undefined && typeof raw.namespace !== 'string') errors.push('namespace: expected a namespace name');
  const fileNamespace = typeof raw.namespace === 'string' ? raw.namespace : base.ownNamespace;
  const namespace = ownNamespace ?? fileNamespace;
  const defaults = parseDefaults(raw.defaults, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: Object.freeze({
      targets,
      invalidAnnotations,
      maxTerminationGracePeriod,
      defaults,
      excludeContainers: Object.freeze(excludeContainers),
      excludeNamespaces: Object.freeze(excludeNamespaces),
      ownNamespace: namespace,
    }),
  };
}

function parseDefaults(value: unknown, errors: string[]): Readonly<InjectionSettings> {
  if (value === undefined || value === null) return SPEC_DEFAULTS;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push('defaults: expected a mapping of annotation keys (without the gracekeeper.io/ prefix) to values');
    return SPEC_DEFAULTS;
  }
  const annotations: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    annotations[key.startsWith(PREFIX) ? key : `${PREFIX}${key}`] = String(v);
  }
  const resolved = resolveSettings(SPEC_DEFAULTS, [{ source: 'cluster', annotations }]);
  for (const e of resolved.errors) errors.push(`defaults: ${describeError(e)}`);
  for (const u of resolved.unknown) errors.push(`defaults: ${describeUnknown(u)}`);
  return Object.freeze(resolved.settings);
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T, key: string, errors: string[]): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  errors.push(`${key}=${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
  return fallback;
}

function stringList(value: unknown, fallback: readonly string[], key: string, errors: string[]): string[] {
  if (value === undefined || value === null) return [...fallback];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  errors.push(`${key}: expected a list of names`);
  return [...fallback];
}
