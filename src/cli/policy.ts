// `gracekeeper policy`: the in-process baseline (a MutatingAdmissionPolicy and its binding)
// rendered from the cluster settings, for `kubectl apply -f -`, kustomize or a GitOps repository.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { POLICY_NAME, renderPolicy } from '../baseline/policy.js';
import { DEFAULT_CLUSTER_SETTINGS, parseClusterSettings, type ClusterSettings } from '../settings/cluster-settings.js';
import { UsageError } from './args.js';
import type { CommandIO } from './mutate.js';

export const POLICY_USAGE = `Usage: gracekeeper policy [--config FILE] [--namespace NAME] [--name NAME] [-o yaml|json]

Prints the in-process baseline: a MutatingAdmissionPolicy (admissionregistration.k8s.io/v1,
Kubernetes 1.36 and newer) and its binding, from the cluster settings. The API server runs it
itself, so opted-in Pods get a preStop sleep and a long-enough grace period even while the webhook
is down; the webhook refines what it wrote (docs/baseline.md).

  --config FILE     cluster settings (YAML); the defaults without it
  --namespace NAME  gracekeeper's own namespace, never mutated (the settings' namespace, else gracekeeper)
  --name NAME       name of the policy and its binding (${POLICY_NAME})
  -o yaml|json      output format (yaml)
  -h, --help        this help
`;

export interface PolicyCommandOptions {
  config?: string;
  namespace?: string;
  name: string;
  output: 'yaml' | 'json';
  help: boolean;
}

export function parsePolicyArgs(argv: string[]): PolicyCommandOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        name: { type: 'string', default: POLICY_NAME },
        output: { type: 'string', short: 'o', default: 'yaml' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const output = values.output;
  if (output !== 'yaml' && output !== 'json') throw new UsageError(`-o ${JSON.stringify(output)}: expected yaml or json`);
  if (!/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(values.name)) {
    throw new UsageError(`--name ${JSON.stringify(values.name.slice(0, 80))}: expected a DNS subdomain of at most 63 characters`);
  }
  return { config: values.config, namespace: values.namespace, name: values.name, output, help: values.help };
}

/** Runs the command; returns the exit status (0 ok, 2 bad usage or settings). */
export function runPolicy(argv: string[], io: CommandIO): number {
  let options: PolicyCommandOptions;
  try {
    options = parsePolicyArgs(argv);
  } catch (err) {
    io.stderr(`gracekeeper policy: ${(err as Error).message}\n${POLICY_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout(POLICY_USAGE);
    return 0;
  }
  let cluster: ClusterSettings = DEFAULT_CLUSTER_SETTINGS;
  if (options.config || options.namespace) {
    let text = '';
    try {
      if (options.config) text = readFileSync(options.config, 'utf8');
    } catch (err) {
      io.stderr(`gracekeeper policy: ${(err as Error).message}\n`);
      return 2;
    }
    const parsed = parseClusterSettings(text, options.namespace);
    if (!parsed.ok) {
      io.stderr(`gracekeeper policy: ${options.config ?? '--namespace'}: ${parsed.error.join('; ')}\n`);
      return 2;
    }
    cluster = parsed.value.settings;
  }
  const docs = renderPolicy(cluster, { name: options.name });
  io.stdout(
    options.output === 'json'
      ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }, null, 2)}\n`
      : docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'),
  );
  return 0;
}
