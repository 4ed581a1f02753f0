// The load generator of the rolling-update proof: a steady, open-loop stream of HTTP GETs, each on
// a new TCP connection (no keep-alive, so every request goes through kube-proxy's DNAT afresh and
// a pod that is gone is noticed at once), or with --keep-alive=N over a pool of N persistent
// HTTP/1.1 connections (as client libraries do: a request waits for a free connection, one closed
// by the server is replaced by a new one), with every failure counted by type:
//   refused  ECONNREFUSED: nothing listens (the app exited, or has not started listening yet)
//   reset    ECONNRESET / EPIPE / socket hang up: the connection died under the request
//   timeout  no complete answer within --timeout (e.g. SYNs to a pod that no longer exists)
//   http5xx  an HTTP status of 500 or more
//   other    anything else (EHOSTUNREACH, a 4xx, an unexpected body...), by code in `otherCodes`
// Open loop: requests start on schedule whether or not earlier ones have answered, as real
// clients do; a start that would exceed --max-in-flight is counted as `skipped` instead.
//
// No retries: a request that fails on a keep-alive connection the server has just closed counts
// (its failure event says `reused: true`), where some client libraries would resend it.
//
// CLI: node --import tsx test/rollout/loadgen.ts --url URL [--rate 200] [--duration 10s]
//        [--timeout 3s] [--expect-body ok] [--max-in-flight 2000] [--keep-alive N] [--out FILE]
// Runs until --duration has passed or it gets SIGTERM/SIGINT, waits for the requests in flight,
// then writes the result as JSON to --out (or stdout). A line "loadgen: started" goes to stderr
// once the first request is sent.
import { Agent, request, type IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseDurationMs as parseServerDurationMs } from '../../src/settings/duration.js';

export const FAILURE_TYPES = ['refused', 'reset', 'timeout', 'http5xx', 'other'] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

export interface LoadOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  /** Per request, connection to the end of the body. */
  timeoutMs: number;
  /** Stop after this long (default: only when `signal` aborts). */
  durationMs?: number;
  signal?: AbortSignal;
  /** A 2xx answer counts as ok only if its body, trimmed, is this (default: any body). */
  expectBody?: string;
  maxInFlight?: number;
  /** Persistent connections in the pool (default: none, a new connection per request). */
  keepAlive?: number;
  /** Called once the first request has been sent. */
  onStart?: () => void;
}

export interface FailureEvent {
  /** Milliseconds since `startedAt`, when the request was sent. */
  t: number;
  type: FailureType;
  detail: string;
  /** Sent on a keep-alive connection that had carried an earlier request. */
  reused?: boolean;
}

export interface LoadResult {
  url: string;
  /** Epoch milliseconds of the first request. */
  startedAt: number;
  durationMs: number;
  targetRate: number;
  achievedRate: number;
  requests: number;
  ok: number;
  failed: number;
  byType: Record<FailureType, number>;
  otherCodes: Record<string, number>;
  skipped: number;
  /** TCP connections opened. */
  connections: number;
  /** Failed requests that were sent on a reused keep-alive connection. */
  failedOnReused: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Per second since the start: [ok, failed]. */
  perSecond: [number, number][];
  /** The first failures, in order (at most 20,000: a whole run at 200 req/s is 10,000 to 12,000 requests). */
  failures: FailureEvent[];
}

const MAX_EVENTS = 20_000;

/** The failure type of a request error (`undefined` status) or of an HTTP answer. */
export function classify(
  err: (Error & { code?: string }) | undefined,
  status?: number,
): { type: FailureType; detail: string } | undefined {
  if (err) {
    const code = err.code ?? err.message;
    if (code === 'ECONNREFUSED') return { type: 'refused', detail: code };
    if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err.message)) {
      return { type: 'reset', detail: code };
    }
    if (code === 'ETIMEDOUT' || code === 'GK_TIMEOUT') return { type: 'timeout', detail: code };
    return { type: 'other', detail: code };
  }
  if (status !== undefined && status >= 500) return { type: 'http5xx', detail: String(status) };
  if (status !== undefined && (status < 200 || status >= 300)) return { type: 'other', detail: `http${status}` };
  return undefined;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

class TimeoutError extends Error {
  code = 'GK_TIMEOUT';
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (!(o.rate > 0)) throw new Error(`rate must be positive, got ${o.rate}`);
  const url = new URL(o.url);
  const maxInFlight = o.maxInFlight ?? 2000;
  const agent = o.keepAlive
    ? new Agent({ keepAlive: true, maxSockets: o.keepAlive, maxFreeSockets: o.keepAlive, scheduling: 'fifo' })
    : undefined;
  /** Requests each connection has carried. */
  const carried = new WeakMap<object, number>();
  let connections = 0;
  let failedOnReused = 0;
  const byType = Object.fromEntries(FAILURE_TYPES.map((t) => [t, 0])) as Record<FailureType, number>;
  const otherCodes: Record<string, number> = {};
  const failures: FailureEvent[] = [];
  const perSecond: [number, number][] = [];
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let stopping = false;
  let drained: (() => void) | undefined;

  const t0 = performance.now();
  const startedAt = Date.now();
  const bucket = (t: number): [number, number] => {
    const i = Math.floor(t / 1000);
    while (perSecond.length <= i) perSecond.push([0, 0]);
    return perSecond[i];
  };

  const fire = (): void => {
    const sentAt = performance.now() - t0;
    inFlight++;
    sent++;
    let settled = false;
    let reused = false;
    const settle = (err?: Error & { code?: string }, status?: number, body?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight--;
      let failure = classify(err, status);
      if (!failure && o.expectBody !== undefined && body?.trim() !== o.expectBody) {
        failure = { type: 'other', detail: 'unexpected-body' };
      }
      if (failure) {
        failed++;
        byType[failure.type]++;
        if (failure.type === 'other') otherCodes[failure.detail] = (otherCodes[failure.detail] ?? 0) + 1;
        if (reused) failedOnReused++;
        if (failures.length < MAX_EVENTS) failures.push({ t: Math.round(sentAt), ...failure, ...(reused ? { reused } : {}) });
        bucket(sentAt)[1]++;
      } else {
        ok++;
        latencies.push(performance.now() - t0 - sentAt);
        bucket(sentAt)[0]++;
      }
      if (stopping && inFlight === 0) drained?.();
    };
    const req = request(
      {
        host: url.hostname,
        port: url.port || 80,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        ...(agent ? { agent } : { agent: false, headers: { connection: 'close' } }),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => settle(e));
        res.on('aborted', () => settle(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => settle(undefined, res.statusCode, Buffer.concat(chunks).toString('utf8')));
      },
    );
    const timer = setTimeout(() => {
      const e = new TimeoutError(`no answer in ${o.timeoutMs} ms`);
      settle(e);
      req.destroy(e);
    }, o.timeoutMs);
    req.on('error', (e) => settle(e));
    req.on('socket', (s) => {
      const n = carried.get(s) ?? 0;
      carried.set(s, n + 1);
      if (n === 0) connections++;
      reused = n > 0;
    });
    req.end();
  };

  await new Promise<void>((resolve) => {
    let started = false;
    const tick = (): void => {
      const now = performance.now() - t0;
      const over = stopping || o.signal?.aborted || (o.durationMs !== undefined && now >= o.durationMs);
      if (over) {
        clearInterval(interval);
        stopping = true;
        if (inFlight === 0) resolve();
        else drained = resolve;
        return;
      }
      const due = Math.floor((now * o.rate) / 1000) + 1 - sent - skipped;
      for (let i = 0; i < due; i++) {
        if (inFlight >= maxInFlight) skipped++;
        else fire();
      }
      if (!started && sent > 0) {
        started = true;
        o.onStart?.();
      }
    };
    const interval = setInterval(tick, 2);
    o.signal?.addEventListener('abort', tick, { once: true });
    tick();
  });

  agent?.destroy();
  const durationMs = Math.round(performance.now() - t0);
  latencies.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    url: o.url,
    startedAt,
    durationMs,
    targetRate: o.rate,
    achievedRate: round((sent * 1000) / Math.max(durationMs, 1)),
    requests: sent,
    ok,
    failed,
    byType,
    otherCodes,
    skipped,
    connections,
    failedOnReused,
    latencyMs: {
      p50: round(quantile(latencies, 0.5)),
      p90: round(quantile(latencies, 0.9)),
      p99: round(quantile(latencies, 0.99)),
      max: round(latencies.at(-1) ?? 0),
    },
    perSecond,
    failures,
  };
}

/** "10s", "1500ms", "2m", or a bare number of seconds, in milliseconds (the server's one parser); throws otherwise. */
export function parseDurationMs(s: string): number {
  const ms = parseServerDurationMs(s);
  if (ms === undefined) throw new Error(`not a duration: ${JSON.stringify(s.slice(0, 64))} (say 10s, 1500ms or 2m)`);
  return ms;
}

export interface LoadCli extends Omit<LoadOptions, 'signal' | 'onStart'> {
  out?: string;
}

export function parseLoadArgs(argv: string[]): LoadCli {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      timeout: { type: 'string' },
      'expect-body': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'keep-alive': { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
  if (!values.url) throw new Error('--url is required');
  const url = new URL(values.url);
  if (url.protocol !== 'http:') throw new Error(`--url must be http://, got ${url.protocol}`);
  const rate = Number(values.rate ?? '200');
  if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) throw new Error(`--rate must be in (0, 10000], got ${values.rate}`);
  const maxInFlight = Number(values['max-in-flight'] ?? '2000');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`--max-in-flight must be a positive integer`);
  const keepAlive = values['keep-alive'] === undefined ? undefined : Number(values['keep-alive']);
  if (keepAlive !== undefined && (!Number.isInteger(keepAlive) || keepAlive < 1 || keepAlive > 1000))
    throw new Error(`--keep-alive must be an integer from 1 to 1000, got ${values['keep-alive']}`);
  return {
    url: values.url,
    rate,
    timeoutMs: parseDurationMs(values.timeout ?? '3s'),
    durationMs: values.duration === undefined ? undefined : parseDurationMs(values.duration),
    expectBody: values['expect-body'],
    maxInFlight,
    ...(keepAlive === undefined ? {} : { keepAlive }),
    out: values.out,
  };
}

async function main(argv: string[]): Promise<number> {
  let cli: LoadCli;
  try {
    cli = parseLoadArgs(argv);
  } catch (err) {
    process.stderr.write(`loadgen: ${(err as Error).message}\n`);
    return 2;
  }
  const ac = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => ac.abort());
  const result = await runLoad({
    ...cli,
    signal: ac.signal,
    onStart: () => process.stderr.write('loadgen: started\n'),
  });
  const text = `${JSON.stringify(result)}\n`;
  if (cli.out) writeFileSync(cli.out, text);
  else process.stdout.write(text);
  process.stderr.write(`loadgen: ${result.requests} requests, ${result.failed} failed\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`loadgen: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
