// Cluster settings: the YAML config file, parsed once, through the table of cluster-keys.ts, into a
// typed, frozen object. Every problem is collected; none stops the others from being found.
import { parse as parseYaml } from 'yaml';
import { settingsTextProblem } from './bounds.js';
import { CLUSTER_SETTINGS, TOP_LEVEL, type ClusterSettings } from './cluster-keys.js';
import { DEFAULT_SETTINGS } from './types.js';
import { fail, ok, type Result } from '../kube/result.js';

export { TOP_LEVEL, type ClusterSettings, type InvalidAnnotationPolicy, type Targets } from './cluster-keys.js';

export const BUILT_IN_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

export const DEFAULT_CLUSTER_SETTINGS: Readonly<ClusterSettings> = Object.freeze({
  targets: 'both',
  invalidAnnotations: 'deny',
  excludeContainers: Object.freeze(['istio-proxy', 'linkerd-proxy']),
  maxTerminationGracePeriod: 600,
  excludeNamespaces: Object.freeze([]),
  ownNamespace: 'gracekeeper',
  defaults: DEFAULT_SETTINGS,
  propagationDelay: 5,
  trafficPaths: Object.freeze([]),
  cloud: 'auto',
  stopSignals: false,
  istioNativeSidecars: false,
});

/** `empty`: the file holds no settings at all (empty, or comments only): every default. */
export interface ParsedSettings {
  settings: ClusterSettings;
  empty: boolean;
}

/** The settings, or every problem found in the file. */
export type ParseResult = Result<ParsedSettings, string[]>;

/**
 * Parses the config file's text. `ownNamespace` is the namespace the pod really runs in
 * (--namespace, POD_NAMESPACE): it wins over the file's `namespace`.
 */
export function parseClusterSettings(text: string, ownNamespace?: string): ParseResult {
  const problem = settingsTextProblem(text);
  if (problem) return fail([problem]);
  let doc: unknown;
  let empty: boolean;
  try {
    doc = parseYaml(text) as unknown;
    empty = doc === null || doc === undefined;
    doc ??= {};
  } catch (err) {
    return fail([`not valid YAML: ${(err as Error).message.split('\n')[0]?.slice(0, 200)}`]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return fail(['expected a YAML mapping of settings at the top level']);
  }
  const raw = doc as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.includes(key))
      errors.push(`unknown setting ${JSON.stringify(key.slice(0, 60))}; known: ${TOP_LEVEL.join(', ')}`);
  }
  const settings: Record<string, unknown> = { ...DEFAULT_CLUSTER_SETTINGS };
  for (const setting of CLUSTER_SETTINGS) {
    const value = raw[setting.key];
    if (value === undefined || value === null) continue;
    const parsed = setting.parse(value, errors);
    if (parsed !== undefined) settings[setting.field] = parsed;
  }
  if (ownNamespace !== undefined) settings.ownNamespace = ownNamespace;
  if (errors.length > 0) return fail(errors);
  return ok({ settings: Object.freeze(settings) as unknown as ClusterSettings, empty });
}
