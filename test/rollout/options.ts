// The command line of `make rollout-proof` (ROLLOUT_ARGS): which scenarios and arms, how many
// runs, the load, and the cluster's knobs.
import { parseArgs } from 'node:util';
import { parseDurationMs } from './loadgen.js';
import { ARMS, SCENARIOS, type Arm, type ScenarioName, type ScenarioOptions } from './scenario.js';

export interface ProofOptions extends ScenarioOptions {
  runs: number;
  scenarios: ScenarioName[];
  arms: Arm[];
  out: string;
  /** kube-proxy's iptables.minSyncPeriod. */
  minSyncPeriod: string;
  /** gracekeeper.io/* annotations on the opted-in namespaces (default: none, the shipped defaults). */
  withAnnotations: Record<string, string>;
  /** Nodes in the cluster: 2 when the eviction scenario runs (a real drain needs somewhere to go), else 1. */
  nodes: 1 | 2;
  keep: boolean;
  /** The slow path: `pre-stop-sleep` values (seconds) run after its arms, each in an arm of its own (`with`, that sleep). */
  sweep: number[];
}

function list<T extends string>(flag: string, raw: string | undefined, all: readonly T[]): T[] {
  const names = (raw ?? all.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(all as readonly string[]).includes(n)) throw new Error(`--${flag}: unknown ${JSON.stringify(n)} (${all.join(', ')})`);
  }
  return all.filter((a) => names.includes(a));
}

export function parseProofArgs(argv: string[]): ProofOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      runs: { type: 'string' },
      rate: { type: 'string' },
      restarts: { type: 'string' },
      replicas: { type: 'string' },
      timeout: { type: 'string' },
      warmup: { type: 'string' },
      scenarios: { type: 'string' },
      modes: { type: 'string' },
      out: { type: 'string' },
      nodes: { type: 'string' },
      'min-sync-period': { type: 'string' },
      'with-annotation': { type: 'string', multiple: true },
      keep: { type: 'boolean' },
      'lb-delay': { type: 'string' },
      sweep: { type: 'string' },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
  const int = (name: string, v: string | undefined, dflt: number, min: number, max: number): number => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${v}`);
    return n;
  };
  const scenarios = list('scenarios', values.scenarios, SCENARIOS);
  const arms = list('modes', values.modes, ARMS);
  if (scenarios.length === 0 || arms.length === 0) throw new Error('--scenarios and --modes must name at least one');
  const minSync = values['min-sync-period'] ?? '3s';
  parseDurationMs(minSync);
  const withAnnotations: Record<string, string> = {};
  for (const kv of values['with-annotation'] ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--with-annotation wants KEY=VALUE, got ${JSON.stringify(kv)}`);
    const key = kv.slice(0, i).trim();
    withAnnotations[key.includes('/') ? key : `gracekeeper.io/${key}`] = kv.slice(i + 1).trim();
  }
  return {
    runs: int('runs', values.runs, 3, 1, 20),
    rate: int('rate', values.rate, 200, 1, 5000),
    restarts: int('restarts', values.restarts, 2, 1, 10),
    replicas: int('replicas', values.replicas, 3, 1, 20),
    timeoutMs: parseDurationMs(values.timeout ?? '3s'),
    warmupMs: parseDurationMs(values.warmup ?? '5s'),
    scenarios,
    arms,
    out: values.out ?? 'bench/rollout.json',
    minSyncPeriod: minSync,
    withAnnotations,
    nodes: int('nodes', values.nodes, scenarios.includes('eviction') ? 2 : 1, 1, 2) as 1 | 2,
    keep: values.keep ?? false,
    lbDelayS: int('lb-delay', values['lb-delay'], 20, 1, 600),
    sweep: (values.sweep ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map((v) => {
        const ms = parseDurationMs(/^\d+$/.test(v) ? `${v}s` : v);
        if (ms % 1000 !== 0 || ms < 0 || ms > 600_000) throw new Error(`--sweep: ${v} is not whole seconds from 0 to 600`);
        return ms / 1000;
      }),
  };
}
