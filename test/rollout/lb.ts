// The emulated cloud load balancer of the slow-path scenario: a TCP proxy (one client connection,
// one connection to a pod, bytes passed through, as a layer-4 load balancer with IP targets) that
// runs in the node's network namespace and routes to pod addresses directly, not through
// kube-proxy. It learns them by polling the API server (every --poll) for the Service's
// EndpointSlices: an endpoint is routed from the first poll that shows it ready, and still routed
// for D seconds after the first poll that shows it not ready or gone (lb-targets.ts), D read from
// the Service's annotations at every poll (scenarios/slow-path-annotations.ts).
//
// A connection to a pod that fails is answered with a reset (ECONNREFUSED, EHOSTUNREACH, ...), or
// not at all until the pod's connect timeout (10 s, as a cloud load balancer's) when its SYNs go
// unanswered. Written to --events, one JSON line each: target changes, and each second with
// traffic, its connections, those sent to targets already seen not ready, and failures by code.
//
// CLI: node --import tsx test/rollout/lb.ts --server URL --ca F --cert F --key F
//        --namespace NS --service NAME --listen IP:PORT --events FILE [--poll 500ms]
// Prints "lb: listening" to stderr once it routes; exits on SIGTERM.
import { appendFileSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { DelayedTargets, type TargetEvent } from './lb-targets.js';
import { parseDurationMs } from './loadgen.js';
import { lbDelaySeconds } from './scenarios/slow-path-annotations.js';

const CONNECT_TIMEOUT_MS = 10_000;

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

interface Slices {
  items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[]; ports?: { port?: number }[] }[];
}

function args(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: Object.fromEntries(
      ['server', 'ca', 'cert', 'key', 'namespace', 'service', 'listen', 'events', 'poll'].map((k) => [k, { type: 'string' }]),
    ),
  });
  for (const k of ['server', 'ca', 'cert', 'key', 'namespace', 'service', 'listen', 'events']) {
    if (!values[k]) throw new Error(`--${k} is required`);
  }
  const [host, port] = String(values.listen).split(':');
  return {
    server: String(values.server),
    tls: {
      ca: readFileSync(String(values.ca), 'utf8'),
      cert: readFileSync(String(values.cert), 'utf8'),
      key: readFileSync(String(values.key), 'utf8'),
    },
    namespace: String(values.namespace),
    service: String(values.service),
    host,
    port: Number(port),
    events: String(values.events),
    pollMs: parseDurationMs(String(values.poll ?? '500ms')),
  };
}

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const write = (line: Record<string, unknown>): void => appendFileSync(o.events, `${JSON.stringify(line)}\n`);
  const targets = new DelayedTargets(0);
  let second = { t: 0, connections: 0, toDraining: 0, errors: {} as Record<string, number> };
  const flush = (now: number): void => {
    if (second.connections > 0 || Object.keys(second.errors).length > 0) write({ event: 'second', ...second });
    second = { t: now, connections: 0, toDraining: 0, errors: {} };
  };
  const record = (events: TargetEvent[]): void => events.forEach((e) => write({ ...e }));

  const agent = new Agent({ ...o.tls, keepAlive: true, maxSockets: 1 });
  const poll = async (): Promise<void> => {
    const svc = await getJson<{ metadata?: { annotations?: Record<string, string> } }>(
      agent,
      o.server,
      `/api/v1/namespaces/${o.namespace}/services/${o.service}`,
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
    record(targets.observe(ready, Date.now()));
  };

  const proxy = (client: Socket): void => {
    client.on('error', () => {});
    second.connections++;
    const target = targets.pick();
    const fail = (code: string): void => {
      second.errors[code] = (second.errors[code] ?? 0) + 1;
      if (!client.destroyed) client.resetAndDestroy();
    };
    if (!target) return fail('no-target');
    if (target.draining) second.toDraining++;
    const [host, port] = target.target.split(':');
    const up = connect({ host, port: Number(port), timeout: CONNECT_TIMEOUT_MS });
    up.once('timeout', () => up.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
    up.once('connect', () => {
      up.setTimeout(0);
      client.pipe(up).pipe(client);
    });
    // Before the pod's first byte: a failed connection (counted by code); after it, a broken one.
    up.on('error', (e: Error & { code?: string }) => fail(`${e.code ?? 'error'}${up.bytesRead > 0 ? ':after-answer' : ''}`));
    up.on('close', () => client.destroy());
    client.on('close', () => up.destroy());
  };

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
  setInterval(() => record(targets.expire(Date.now())), 100);
  flush(Date.now());
  setInterval(() => flush(Date.now()), 1000);
  const server = createServer(proxy);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, resolve);
  });
  process.stderr.write(
    `lb: listening on ${o.host}:${o.port}, D ${targets.delay / 1000} s, targets ${targets.list().join(' ')}\n`,
  );
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      flush(Date.now());
      process.exit(0);
    });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`lb: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
