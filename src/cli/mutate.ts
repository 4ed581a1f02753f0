// `gracekeeper mutate`: the admission engine offline, as a CREATE, for previews, CI and GitOps.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { admit } from '../engine/admit.js';
import { buildInput, type ClusterFacts } from '../engine/input.js';
import { gvkOf } from '../kube/gvk.js';
import { TrafficIndex } from '../traffic/index.js';
import { indexDocuments } from '../traffic/documents.js';
import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings } from '../settings/cluster-settings.js';
import { PREFIX } from '../settings/keys.js';
import { parseKubeVersion, type KubeVersion } from '../engine/kube-version.js';
import { CLOUDS, type Cloud } from '../kube/clouds.js';
import { parseKeyValues, UsageError } from './args.js';
import { isList, readDocuments, type ReadDocuments } from './documents.js';
import { readSettingsFile } from './settings-file.js';
import { printYaml } from './yaml-print.js';

export const MUTATE_USAGE = `Usage: gracekeeper mutate -f FILE|- [--config FILE] [--namespace NAME]
       [--namespace-annotation KEY=VALUE ...] [--namespace-label KEY=VALUE ...] [--kube-version X.Y]
       [--cloud auto|none|${CLOUDS.join('|')}] [-o yaml|json]`;

export const MUTATE_HELP = `${MUTATE_USAGE}

Prints the manifests as the webhook would mutate them on CREATE: the same engine, offline, for
previews, CI and GitOps pipelines. Reads one or many YAML or JSON documents (and kind: List); other
kinds, and objects gracekeeper does not change, come out exactly as they went in. YAML is read as
kubectl reads it (YAML 1.1: 0400 is octal, yes/no/on/off are booleans) and written so that YAML 1.1
and 1.2 readers read the same values.

  -f, --filename FILE            the manifests; - for standard input
  --config FILE                  cluster settings (YAML), as gracekeeper serve reads them
  -n, --namespace NAME           the namespace of objects that name none (default)
  --namespace-annotation K=V     an annotation of that Namespace (repeatable; K without a / is
                                 gracekeeper.io/K)
  --namespace-label K=V          a label of that Namespace (repeatable), e.g. gracekeeper.io/inject=enabled
  --kube-version X.Y             the API server's version (pre-stop-mode auto: sleep from 1.30)
  -o, --output yaml|json         the output format (yaml)
  -h, --help                     this help

Exit status: 0; 1 when an object has invalid gracekeeper.io/ annotations (the messages on stderr,
nothing on stdout); 2 for bad arguments or unreadable input.
`;

/** Warnings shown per object: as many as the webhook returns to the API server. */
const MAX_WARNINGS = 20;
/** A name is shown up to this long (the API server's limit for names). */
const MAX_NAME = 253;

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
}

/** Runs the command; returns the exit status (0 ok, 1 invalid annotations, 2 bad input or usage). */
export function runMutate(argv: string[], io: CommandIO): number {
  let options;
  try {
    options = parseMutateArgs(argv);
  } catch (err) {
    io.stderr(`gracekeeper mutate: ${(err as Error).message}\n${MUTATE_USAGE}\n`);
    return 2;
  }
  let raw: string;
  let cluster: ClusterSettings = DEFAULT_CLUSTER_SETTINGS;
  try {
    raw = options.file === '-' ? io.readStdin() : readFileSync(options.file, 'utf8');
    if (options.config) {
      cluster = readSettingsFile(options.config, options.config);
    }
    if (options.cloud) cluster = { ...cluster, cloud: options.cloud };
  } catch (err) {
    io.stderr(`gracekeeper mutate: ${(err as Error).message}\n`);
    return 2;
  }
  let input;
  const source = options.file === '-' ? '<stdin>' : options.file;
  try {
    input = readDocuments(raw, source);
  } catch (err) {
    io.stderr(`gracekeeper mutate: ${(err as Error).message}\n`);
    return 2;
  }
  const denials: string[] = [];
  const facts = documentFacts(
    input.documents.flatMap((d) => (isList(d) ? d.items : [d])),
    options,
  );
  /** Indexes (in input.documents) of the documents the engine changed. */
  const changed = new Set<number>();
  let current = 0;
  const mutateOne = (doc: unknown): unknown => {
    const gvk = gvkOf(doc);
    if (!gvk) return doc;
    const meta = (doc as { metadata?: { name?: string; generateName?: string; namespace?: string } }).metadata ?? {};
    const namespace = meta.namespace ?? options.namespace;
    const result = admit(buildInput({ kind: gvk, operation: 'CREATE', namespace, object: doc }, facts, cluster));
    const label = `${gvk.kind}/${shortName(meta.name ?? meta.generateName ?? '<unnamed>')}`;
    for (const warning of result.warnings.slice(0, MAX_WARNINGS)) io.stderr(`Warning: ${label}: ${warning}\n`);
    if (result.warnings.length > MAX_WARNINGS) {
      io.stderr(`Warning: ${label}: ${result.warnings.length - MAX_WARNINGS} more warnings not shown\n`);
    }
    if (result.denial) denials.push(`${label}: ${result.denial}`);
    if (result.patch.length > 0) changed.add(current);
    return result.object;
  };
  let text: string;
  try {
    const output = input.documents.map((doc, i) => {
      current = i;
      return isList(doc) ? { ...doc, items: doc.items.map(mutateOne) } : mutateOne(doc);
    });
    if (denials.length > 0) {
      for (const denial of denials) io.stderr(`${denial}\n`);
      return 1;
    }
    text = options.output === 'json' ? renderJson(output) : renderYaml(output, input, raw, changed);
  } catch (err) {
    // Not expected after readDocuments' checks; still a message, never a stack trace.
    io.stderr(`gracekeeper mutate: ${source}: cannot process it: ${String((err as Error)?.message).slice(0, 200)}\n`);
    return 2;
  }
  io.stdout(text);
  return 0;
}

/**
 * The cluster as the command knows it: every Namespace as the flags describe it, the API server's
 * version from --kube-version, and the traffic paths of the documents themselves (an in-memory
 * index of their Services, Ingresses and routes). No owners and no outcomes offline.
 */
function documentFacts(objects: unknown[], options: MutateOptions): ClusterFacts {
  const traffic = indexDocuments(new TrafficIndex(), objects, options.namespace);
  const namespace = { labels: options.namespaceLabels, annotations: options.namespaceAnnotations };
  return {
    namespace: () => namespace,
    kubeVersion: () => options.kubeVersion,
    traffic: (ns, labels, governing) => traffic.facts(ns, labels, governing),
  };
}

function shortName(name: unknown): string {
  const text = String(name);
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME)}…` : text;
}

function renderJson(documents: unknown[]): string {
  const value = documents.length === 1 ? documents[0] : { apiVersion: 'v1', kind: 'List', items: documents };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * YAML out. From YAML in, a document the engine did not change is its own text, byte for byte
 * (comments, quoting, `0400`); a changed one keeps the text around its content (the `---` line and
 * comments before it) and its content is printed afresh (printYaml: every value as kubectl read it).
 * From JSON in, every document is printed.
 */
function renderYaml(documents: unknown[], input: ReadDocuments, raw: string, changed: ReadonlySet<number>): string {
  if (!input.spans) return documents.map(printYaml).join('---\n');
  let out = '';
  for (const span of input.spans) {
    if (span.index === undefined || !changed.has(span.index)) {
      out += raw.slice(span.start, span.end);
      continue;
    }
    const before = raw.slice(span.start, span.contentStart);
    // A document after another needs its `---` line; the first may have had none.
    const marker = out === '' || /^---/m.test(before) ? '' : `${out.endsWith('\n') ? '' : '\n'}---\n`;
    const after = raw.slice(span.contentEnd, span.end).replace(/^[ \t]*(#[^\n]*)?\n?/, '');
    out += `${marker}${before}${printYaml(documents[span.index])}${after}`;
  }
  return out;
}

export interface MutateOptions {
  file: string;
  config?: string;
  namespace: string;
  namespaceAnnotations: Record<string, string>;
  namespaceLabels: Record<string, string>;
  kubeVersion?: { major: number; minor: number };
  /** The cluster setting `cloud`, for this run (wins over --config's). */
  cloud?: 'auto' | 'none' | Cloud;
  output: 'yaml' | 'json';
}

export function parseMutateArgs(argv: string[]): MutateOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      filename: { type: 'string', short: 'f' },
      config: { type: 'string' },
      namespace: { type: 'string', short: 'n', default: 'default' },
      'namespace-annotation': { type: 'string', multiple: true, default: [] },
      'namespace-label': { type: 'string', multiple: true, default: [] },
      'kube-version': { type: 'string' },
      cloud: { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.filename) throw new UsageError('-f FILE (or -f - for standard input) is required');
  if (values.output !== 'yaml' && values.output !== 'json') {
    throw new UsageError(`-o ${JSON.stringify(values.output)}: expected yaml or json`);
  }
  const raw = parseKeyValues(values['namespace-annotation'] ?? [], '--namespace-annotation');
  const namespaceAnnotations = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k.includes('/') ? k : `${PREFIX}${k}`, v]),
  );
  return {
    file: values.filename,
    config: values.config,
    namespace: values.namespace ?? 'default',
    namespaceAnnotations,
    namespaceLabels: parseKeyValues(values['namespace-label'] ?? [], '--namespace-label'),
    kubeVersion: values['kube-version'] === undefined ? undefined : kubeVersionFlag(values['kube-version']),
    ...(values.cloud === undefined ? {} : { cloud: cloudFlag(values.cloud) }),
    output: values.output,
  };
}

function cloudFlag(text: string): 'auto' | 'none' | Cloud {
  const allowed: readonly string[] = ['auto', 'none', ...CLOUDS];
  if (!allowed.includes(text))
    throw new UsageError(`--cloud ${JSON.stringify(text.slice(0, 40))}: expected one of ${allowed.join(', ')}`);
  return text as 'auto' | 'none' | Cloud;
}

function kubeVersionFlag(text: string): KubeVersion {
  const version = parseKubeVersion(text);
  if (!version) throw new UsageError(`--kube-version ${JSON.stringify(text)}: expected MAJOR.MINOR, e.g. 1.29`);
  return version;
}
