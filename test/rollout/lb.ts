// The emulated cloud load balancer of the slow-path scenario. It runs in the node's network
// namespace and routes connections for its address (--vip) straight to pod addresses, not
// through kube-proxy: the data path is a nat chain of the kernel (lb-rules.ts), this process its
// controller. It learns the targets by polling the API server (every --poll) for the Service's
// EndpointSlices: an endpoint is routed from the first poll that shows it ready, and still routed
// for D seconds after the first poll that shows it not ready or gone (lb-targets.ts), D read from
// the Service's annotations at every poll (scenarios/slow-path-annotations.ts).
//
// Written to --events, one JSON line each: D, target changes, the rules applied, and at each poll
// the new connections since the last one (from the chain's counters), and how many of them went
// to targets already seen not ready. --dry-run writes the rules without applying them (for tests
// without root).
//
// CLI: node --import tsx test/rollout/lb.ts --server URL --ca F --cert F --key F
//        --namespace NS --service NAME --vip IP:PORT --chain NAME --events FILE [--poll 500ms] [--dry-run]
// Prints "lb: listening" to stderr once it routes; on SIGTERM removes its rules and exits.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parseArgs } from 'node:util';
import { hookRule, parseCounters, renderChain } from './lb-rules.js';
import { DelayedTargets, type TargetEvent } from './lb-targets.js';
import { parseDurationMs } from './loadgen.js';
import { lbDelaySeconds } from './scenarios/slow-path-annotations.js';

interface Slices {
  items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[]; ports?: { port?: number }[] }[];
}

/** GET as JSON over one kept-alive TLS connection (a poll costs no handshake). */
function getJson<T>(agent: Agent, server: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { agent, timeout: 5000, headers: { accept: 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(text) as T) : reject(new Error(`GET ${path}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function args(argv: string[]) {
  const names = ['server', 'ca', 'cert', 'key', 'namespace', 'service', 'vip', 'chain', 'events', 'poll'] as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...(Object.fromEntries(names.map((k) => [k, { type: 'string' }])) as Record<(typeof names)[number], { type: 'string' }>),
      'dry-run': { type: 'boolean' },
    },
  });
  for (const k of names.slice(0, -1)) if (!values[k]) throw new Error(`--${k} is required`);
  const [vip, port] = String(values.vip).split(':');
  if (!/^GK-LB-[A-Z0-9-]{1,20}$/.test(String(values.chain))) throw new Error('--chain must look like GK-LB-<NAME>');
  const file = (k: 'ca' | 'cert' | 'key'): string => readFileSync(String(values[k]), 'utf8');
  return {
    server: String(values.server),
    tls: { ca: file('ca'), cert: file('cert'), key: file('key') },
    namespace: String(values.namespace),
    service: String(values.service),
    vip,
    port: Number(port),
    chain: String(values.chain),
    events: String(values.events),
    pollMs: parseDurationMs(String(values.poll ?? '500ms')),
    dryRun: values['dry-run'] === true,
  };
}

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const write = (line: Record<string, unknown>): void => appendFileSync(o.events, `${JSON.stringify(line)}\n`);
  const iptables = (cmd: string, argv: string[], input?: string): string =>
    o.dryRun ? '' : execFileSync(cmd, argv, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const targets = new DelayedTargets(0);
  let applied: string[] | undefined;
  let counted = new Map<string, number>();
  let draining = new Set<string>();

  /** Counts the connections since the last sync, then makes the chain route to the targets. */
  const sync = (now: number, events: TargetEvent[]): void => {
    events.forEach((e) => write({ ...e }));
    const counters = parseCounters(iptables('iptables-save', ['-c', '-t', 'nat']), o.chain);
    let connections = 0;
    let toDraining = 0;
    for (const [t, n] of counters) {
      const d = n - (counted.get(t) ?? 0);
      connections += d;
      if (draining.has(t)) toDraining += d;
    }
    counted = counters;
    if (connections > 0) write({ t: now, event: 'tick', connections, toDraining });
    draining = new Set(targets.draining());
    const list = targets.list();
    if (applied && list.join() === applied.join()) return;
    iptables('iptables-restore', ['--noflush'], renderChain(o.chain, list));
    applied = list;
    counted = new Map();
    write({ t: now, event: 'rules', targets: list });
  };

  const agent = new Agent({ ...o.tls, keepAlive: true, maxSockets: 1 });
  const poll = async (): Promise<void> => {
    const base = `/api/v1/namespaces/${o.namespace}`;
    const svc = await getJson<{ metadata?: { annotations?: Record<string, string> } }>(
      agent,
      o.server,
      `${base}/services/${o.service}`,
    );
    const d = lbDelaySeconds(svc.metadata?.annotations) ?? 0;
    if (d * 1000 !== targets.delay) {
      targets.setDelay(d * 1000);
      write({ t: Date.now(), event: 'delay', seconds: d });
    }
    const sel = encodeURIComponent(`kubernetes.io/service-name=${o.service}`);
    const res = await getJson<Slices>(
      agent,
      o.server,
      `/apis/discovery.k8s.io/v1/namespaces/${o.namespace}/endpointslices?labelSelector=${sel}`,
    );
    // Targets are address:port, the port of the endpoint's slice.
    const ready: string[] = [];
    for (const s of res.items) {
      const port = s.ports?.[0]?.port;
      if (!port) continue;
      for (const e of s.endpoints ?? [])
        if (e.conditions?.ready === true && e.addresses[0]) ready.push(`${e.addresses[0]}:${port}`);
    }
    const now = Date.now();
    sync(now, targets.observe(ready, now));
  };

  const hook = hookRule(o.chain, o.vip, o.port);
  iptables('iptables-restore', ['--noflush'], renderChain(o.chain, []));
  iptables('iptables', ['-t', 'nat', '-I', ...hook.slice(0, 1), '1', ...hook.slice(1)]);
  await poll();
  // The next poll --poll after the end of the last: never two at once, however slow the answers.
  const again = (): void => {
    setTimeout(() => {
      poll()
        .catch((e: Error) => write({ t: Date.now(), event: 'poll-error', message: e.message }))
        .finally(again);
    }, o.pollMs);
  };
  again();
  setInterval(() => {
    const now = Date.now();
    const expired = targets.expire(now);
    if (expired.length) sync(now, expired);
  }, 100);
  process.stderr.write(`lb: listening on ${o.vip}:${o.port}, D ${targets.delay / 1000} s, targets ${targets.list().join(' ')}\n`);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      try {
        sync(Date.now(), []);
        iptables('iptables', ['-t', 'nat', '-D', ...hook]);
        iptables('iptables', ['-t', 'nat', '-F', o.chain]);
        iptables('iptables', ['-t', 'nat', '-X', o.chain]);
      } finally {
        process.exit(0);
      }
    });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`lb: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
