// The load generator, run as its own process (forked by the harness, IPC to it): `concurrency`
// HTTP/1.1 keep-alive connections over TLS (undici, one Client each, no pipelining), each sending
// POST /mutate back to back with a fresh uid per request, as the API server does. Warm-up first,
// then a measured window; latencies are from before the request is handed to undici to the last
// byte of the response.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Client } from 'undici';
import { makePayload, type PayloadName } from './payloads.js';

export interface LoadConfig {
  port: number;
  caFile: string;
  /** Cycled through per connection (the soak mixes kinds). */
  payloads: PayloadName[];
  concurrency: number;
  warmupMs: number;
  /** The measured window ends after durationMs or maxRequests answers, whichever comes first. */
  durationMs: number;
  maxRequests?: number;
  /** Checks (uid echoed, allowed, a patch when expectPatch) on the first answer and every 256th. */
  expectPatch: boolean;
  /** Send the latency of every measured request back (not for soaks). */
  keepSamples: boolean;
  progressMs?: number;
}

export interface LoadResult {
  count: number;
  /** Every answer, warm-up and after the window included. */
  answered: number;
  /** Reviews the server shed in the measured window (429, its memory budget: docs/failure-modes.md); not errors. */
  shed: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  /** ms, in completion order; empty without keepSamples. */
  samples: number[];
  /** The load generator's own CPU during the window, as a share of one core (near 1: the client was the limit). */
  clientCpu: number;
}

export type LoadMessage =
  { type: 'measuring' } | { type: 'measured' } | { type: 'progress'; count: number } | { type: 'done'; result: LoadResult };

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, */*' };

function uidFor(worker: number, seq: number): string {
  return `${worker.toString(16).padStart(8, '0')}-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`;
}

interface Answer {
  response?: { uid?: unknown; allowed?: unknown; patch?: unknown };
}

function check(text: string, uid: string, expectPatch: boolean): string | undefined {
  let answer: Answer;
  try {
    answer = JSON.parse(text) as Answer;
  } catch {
    return `answer is not JSON: ${text.slice(0, 100)}`;
  }
  if (answer.response?.uid !== uid) return `answer uid ${String(answer.response?.uid)}, sent ${uid}`;
  if (answer.response.allowed !== true) return `not allowed: ${text.slice(0, 200)}`;
  if (expectPatch && typeof answer.response.patch !== 'string') return `no patch: ${text.slice(0, 200)}`;
  return undefined;
}

export async function generateLoad(config: LoadConfig, send: (message: LoadMessage) => void): Promise<LoadResult> {
  const ca = readFileSync(config.caFile);
  const payloads = config.payloads.map(makePayload);
  let state: 'warmup' | 'measuring' | 'stopped' = 'warmup';
  let started = 0;
  let cpuAtStart = process.cpuUsage();
  let count = 0;
  let answered = 0;
  let shed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const samples: number[] = [];
  let elapsedMs = 0;
  let clientCpu = 0;

  const stop = () => {
    if (state !== 'measuring') return;
    elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuAtStart);
    clientCpu = (cpu.user + cpu.system) / 1000 / elapsedMs;
    state = 'stopped';
    send({ type: 'measured' });
  };
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };

  const worker = async (id: number) => {
    const client = new Client(`https://127.0.0.1:${config.port}`, {
      connect: { ca, servername: 'localhost' },
      pipelining: 1,
      keepAliveTimeout: 120_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    // Each connection owns its bodies: a buffer is rewritten only after its answer has come back.
    const bodies = payloads.map((p) => Buffer.from(p.body));
    let seq = 0;
    try {
      while (state !== 'stopped') {
        const which = seq % payloads.length;
        const body = bodies[which] as Buffer;
        const uid = uidFor(id, seq);
        body.write(uid, (payloads[which] as { uidOffset: number }).uidOffset, 'latin1');
        const verify = seq % 256 === 0;
        seq++;
        const measured = state === 'measuring';
        const t0 = performance.now();
        try {
          const res = await client.request({ path: '/mutate', method: 'POST', headers: HEADERS, body });
          const text = await res.body.text();
          const ms = performance.now() - t0;
          if (res.statusCode === 429) {
            // Shed by the server's memory budget, as designed: not an admission, not an error. As a
            // polite client, wait what Retry-After asks (at most 1 s) before the next one.
            if (measured && state === 'measuring') shed++;
            const wait = Math.min(1, Number(res.headers['retry-after']) || 1);
            await new Promise((resolve) => setTimeout(resolve, wait * 1000));
            continue;
          }
          answered++;
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
          else if (verify) {
            const problem = check(text, uid, config.expectPatch);
            if (problem) fail(problem);
          }
          if (measured && state === 'measuring') {
            count++;
            if (config.keepSamples) samples.push(ms);
            if (config.maxRequests !== undefined && count >= config.maxRequests) stop();
          }
        } catch (err) {
          fail((err as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    } finally {
      await client.close().catch(() => undefined);
    }
  };

  const workers = Array.from({ length: config.concurrency }, (_, i) => worker(i));
  await new Promise((resolve) => setTimeout(resolve, config.warmupMs));
  state = 'measuring';
  started = performance.now();
  cpuAtStart = process.cpuUsage();
  send({ type: 'measuring' });
  const timer = setTimeout(stop, config.durationMs);
  const progress = config.progressMs ? setInterval(() => send({ type: 'progress', count }), config.progressMs) : undefined;
  await Promise.all(workers);
  clearTimeout(timer);
  if (progress) clearInterval(progress);
  return { count, answered, shed, errors, firstError, elapsedMs, samples, clientCpu };
}

// As a forked process: the config is argv[2] (JSON); messages go to the parent.
if (process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const send = (message: LoadMessage) => process.send?.(message);
  const result = await generateLoad(JSON.parse(process.argv[2] ?? '{}') as LoadConfig, send);
  process.send({ type: 'done', result } satisfies LoadMessage, () => process.disconnect());
}
