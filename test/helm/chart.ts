// The Helm chart deploy/helm/gracekeeper for the tests: `helm template` and `helm lint` with the
// Helm that test/tools/build.sh builds (Helm 4; HELM_MAJOR=3 runs the same tests on Helm 3), and
// the normalisation under which a rendering is compared with the kustomize base's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEPLOY, type Obj } from '../deploy/kustomize.js';
import { findTool, runTool } from '../tools/ensure-tool.js';

export const CHART = join(DEPLOY, 'helm', 'gracekeeper');

/** The Helm the chart tests run: 4 (default) or 3, from HELM_MAJOR (`make test` runs both). */
export const HELM_MAJOR = process.env.HELM_MAJOR ?? '4';
if (HELM_MAJOR !== '3' && HELM_MAJOR !== '4') throw new Error(`HELM_MAJOR is '${HELM_MAJOR}': 3 or 4`);
const helmFound = findTool(HELM_MAJOR === '3' ? 'helm3' : 'helm4');
/** Why the Helm suites cannot run here (false when they can). */
export const helmSkip: string | false = helmFound.reason ?? false;
export const HELM = helmFound.path ?? 'helm';

/** Helm's own labels on every object; the kustomize base has none of them. */
export const HELM_LABELS = [
  'helm.sh/chart',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
] as const;

export interface Render {
  release?: string;
  namespace?: string;
  values?: Obj;
  /** Extra arguments, e.g. ['--kube-version', '1.29.0']. */
  args?: string[];
}

/** Runs helm with the values written to a temporary file (removed afterwards). */
export function helm(
  command: string[],
  r: Render = {},
  allowFailure = false,
): { status: number; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gk-helm-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(r.values ?? {}));
    return runTool(HELM, [...command, '-f', valuesFile, ...(r.args ?? [])], {
      allowFailure,
      // A private Helm home: no repositories, plugins or caches of the machine's.
      env: { HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart, parsed the way the API server reads YAML (1.1: 0440 is octal). */
export function template(r: Render = {}): Obj[] {
  const out = helm(['template', r.release ?? 'gracekeeper', CHART, '--namespace', r.namespace ?? 'gracekeeper'], r);
  return parseYaml11(out.stdout);
}

export function parseYaml11(text: string): Obj[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message);
      return doc.toJS() as Obj | null;
    })
    .filter((o): o is Obj => o !== null);
}

export const isHook = (o: Obj): boolean => o.metadata?.annotations?.['helm.sh/hook'] !== undefined;

function dropHelmLabels(map: unknown): void {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return;
  for (const key of HELM_LABELS) delete (map as Record<string, unknown>)[key];
}

/** Every `labels` and `matchLabels` map in the object, and a Service's spec.selector. */
function walkLabels(node: unknown, visit: (labels: unknown) => void): void {
  if (Array.isArray(node)) for (const item of node) walkLabels(item, visit);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'labels' || key === 'matchLabels') visit(value);
      walkLabels(value, visit);
    }
  }
}

function renameStrings(node: unknown, rename: (s: string) => string): unknown {
  if (typeof node === 'string') return rename(node);
  if (Array.isArray(node)) return node.map((n) => renameStrings(n, rename));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, renameStrings(v, rename)]));
  }
  return node;
}

/**
 * The normalisation under which the chart's rendering equals the kustomize base's:
 *  1. Helm hook documents are dropped (they exist only while `helm uninstall` runs them);
 *  2. Helm's four labels (HELM_LABELS) are removed from every metadata.labels, pod template
 *     labels, matchLabels (Deployment and PodDisruptionBudget selectors, topology spread
 *     constraints, ServiceMonitor) and the Service's selector; a labels map left empty goes;
 *  3. the settings file in the ConfigMap is compared as parsed YAML (the base's has comments);
 *  4. with `rename`, every string value is renamed (another release name and namespace);
 *  5. the objects are sorted by kind, namespace and name.
 */
export function normalise(objects: Obj[], rename?: (s: string) => string): Obj[] {
  const out = objects
    .filter((o) => !isHook(o))
    .map((o) => {
      const copy = structuredClone(o);
      walkLabels(copy, dropHelmLabels);
      if (copy.kind === 'Service') dropHelmLabels(copy.spec?.selector);
      if (copy.metadata?.labels && Object.keys(copy.metadata.labels as object).length === 0) delete copy.metadata.labels;
      if (copy.kind === 'ConfigMap' && typeof copy.data?.['config.yaml'] === 'string') {
        copy.data['config.yaml'] = parseAllDocuments(copy.data['config.yaml'])[0]?.toJS() as unknown;
      }
      return (rename ? renameStrings(copy, rename) : copy) as Obj;
    });
  const key = (o: Obj) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  return out.sort((a, b) => key(a).localeCompare(key(b)));
}

/** The generated certificate's bytes replaced by placeholders, for comparing the rest. */
export function blankCertificates(objects: Obj[]): Obj[] {
  return objects.map((o) => {
    const copy = structuredClone(o);
    if (copy.kind === 'Secret' && copy.type === 'kubernetes.io/tls') {
      for (const k of Object.keys(copy.data ?? {})) copy.data[k] = '<certificate data>';
      delete copy.metadata.annotations?.['gracekeeper.io/certificate-not-after'];
      if (copy.metadata.annotations && Object.keys(copy.metadata.annotations as object).length === 0) {
        delete copy.metadata.annotations;
      }
    }
    if (copy.kind === 'MutatingWebhookConfiguration') {
      for (const w of copy.webhooks ?? []) if (w.clientConfig?.caBundle) w.clientConfig.caBundle = '<ca bundle>';
    }
    return copy;
  });
}
