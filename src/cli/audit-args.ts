// `gracekeeper audit`'s flags: parsed and checked before anything is read from the cluster, every
// mistake a usage error (exit 2) that names what is accepted.
import { parseArgs } from 'node:util';
import type { AuditStatus } from '../audit/classify.js';
import { UsageError } from './args.js';

export const AUDIT_USAGE = `Usage: gracekeeper audit [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A]
       [-o table|json] [--fail-on missing|stale|missing,stale] [--config FILE]

Reads the cluster (get and list only) and prints, for every workload and bare Pod, whether its
namespace is opted in, what it lacks for a graceful shutdown, its traffic paths and the preStop
sleep they call for, whether gracekeeper's record is stale, and which carry only the baseline.

  --kubeconfig FILE   the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --context NAME      a context of the kubeconfig other than its current one
  -n, --namespace NS  one namespace (default: the context's namespace, else default)
  -A, --all-namespaces  every namespace
  -o, --output F      table (default) or json
  --fail-on LIST      exit 3 when an item has one of these statuses: missing, stale, or missing,stale
                      (missing includes baseline: objects with only what the in-process baseline wrote)
  --config FILE       the cluster settings file, as serve and mutate read it; default: built-in defaults
  --settings FILE     an alias of --config (its older name here)
  -h, --help          this help

Exit status: 0; 3 when --fail-on finds what it names; 2 for bad arguments; 1 when the cluster
cannot be read.`;

export const FAIL_ON_CHOICES = ['missing', 'stale'] as const;
export type FailOn = (typeof FAIL_ON_CHOICES)[number];

export interface AuditOptions {
  kubeconfig?: string;
  context?: string;
  /** undefined with allNamespaces. */
  namespace?: string;
  allNamespaces: boolean;
  output: 'table' | 'json';
  failOn: FailOn[];
  /** The cluster settings file, and the flag that named it (--settings is an alias of --config). */
  config?: { path: string; flag: '--config' | '--settings' };
  help: boolean;
}

/** "missing", "stale", "missing,stale" (in any order, spaces allowed); anything else is a usage error. */
export function parseFailOn(text: string): FailOn[] {
  const parts = text.split(',').map((p) => p.trim());
  const bad = parts.filter((p) => !(FAIL_ON_CHOICES as readonly string[]).includes(p));
  if (bad.length > 0 || parts.length === 0) {
    throw new UsageError(
      `--fail-on ${JSON.stringify(text)}: expected ${FAIL_ON_CHOICES.join(', ')}, or both comma-separated (missing,stale)`,
    );
  }
  return FAIL_ON_CHOICES.filter((c) => parts.includes(c));
}

export function parseAuditArgs(argv: string[]): AuditOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A', default: false },
        output: { type: 'string', short: 'o', default: 'table' },
        'fail-on': { type: 'string', multiple: true, default: [] },
        config: { type: 'string' },
        settings: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const allNamespaces = values['all-namespaces'] ?? false;
  if (allNamespaces && values.namespace !== undefined) throw new UsageError('-n NAMESPACE and -A: give one or the other');
  if (values.namespace !== undefined && values.namespace.trim() === '') throw new UsageError('-n: expected a namespace name');
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') {
    throw new UsageError(`-o ${JSON.stringify(output)}: expected table or json`);
  }
  if (values.config !== undefined && values.settings !== undefined) {
    throw new UsageError('--config and --settings: give one (--settings is an alias of --config)');
  }
  const failOn = [...new Set((values['fail-on'] ?? []).flatMap(parseFailOn))];
  return {
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespace: values.namespace,
    allNamespaces,
    output,
    failOn: FAIL_ON_CHOICES.filter((c) => failOn.includes(c)),
    config:
      values.config !== undefined
        ? { path: values.config, flag: '--config' }
        : values.settings !== undefined
          ? { path: values.settings, flag: '--settings' }
          : undefined,
    help: values.help ?? false,
  };
}

/** The exit status for a report: 3 when an item's status is one --fail-on names, else 0. */
export function exitStatus(statuses: readonly AuditStatus[], failOn: readonly FailOn[]): 0 | 3 {
  // An object with only the baseline lacks what only the webhook writes: missing, for --fail-on.
  return statuses.some((s) => (failOn as readonly string[]).includes(s === 'baseline' ? 'missing' : s)) ? 3 : 0;
}
