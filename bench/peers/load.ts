// The load generator: `clients` concurrent API clients, each with its own keep-alive HTTPS
// connection (a node:https Agent with keepAlive and one socket, as a client-go client keeps one
// connection), authenticating with a client certificate, creating Pods back to back through
// kube-apiserver: server-side dry-run (?dryRun=All: admission runs in full, nothing is stored) or
// real creates. Bounded in time and in count; it stops by itself.
import { Agent, request } from 'node:https';
import { createPath, type Obj } from './pods.js';

export interface Tls {
  ca: string;
  cert: string;
  key: string;
}

export interface LoadOptions {
  server: string;
  tls: Tls;
  object: Obj;
  clients: number;
  dryRun: boolean;
  warmupMs: number;
  durationMs: number;
  /** The measured window also ends after this many answers. */
  maxRequests: number;
  /** What every created object must show: mutated (a preStop hook) or not. */
  expectMutated: boolean;
  /** Called when the measured window opens and closes (the webhook's CPU is read then). */
  onWindow?: (edge: 'open' | 'close') => void;
}

export interface LoadResult {
  /** Answers inside the measured window, and of those, the failed and the wrongly mutated. */
  count: number;
  errors: number;
  wrongMutation: number;
  firstError?: string;
  elapsedMs: number;
  /** Latency of each successful call in the window, ms. */
  samples: number[];
}

interface Answer {
  status: number;
  text: string;
}

function post(server: string, path: string, agent: Agent, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      {
        method: 'POST',
        agent,
        timeout: 30_000,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The reason of a failed call: the API server's Status message, shortened (never the object). */
function reason(a: Answer): string {
  try {
    const status = JSON.parse(a.text) as { message?: unknown };
    if (typeof status.message === 'string') return `HTTP ${a.status}: ${status.message.slice(0, 300)}`;
  } catch {
    // not a Status
  }
  return `HTTP ${a.status}`;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const body = JSON.stringify(o.object);
  const path = createPath(o.object, o.dryRun);
  const agents = Array.from(
    { length: o.clients },
    () => new Agent({ keepAlive: true, maxSockets: 1, ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key }),
  );
  // The window is fixed in time: every call that completes inside it counts (whenever it was
  // sent), so throughput is not biased by calls in flight at either edge. It closes early only
  // when maxRequests calls have completed in it.
  const result: LoadResult = { count: 0, errors: 0, wrongMutation: 0, elapsedMs: 0, samples: [] };
  let openedAt = 0;
  let closedAt = 0;
  const close = (): void => {
    if (closedAt || !openedAt) return;
    closedAt = performance.now();
    clearTimeout(closeTimer);
    o.onWindow?.('close');
  };
  const openTimer = setTimeout(() => {
    openedAt = performance.now();
    o.onWindow?.('open');
  }, o.warmupMs);
  const closeTimer = setTimeout(close, o.warmupMs + o.durationMs);
  const client = async (agent: Agent): Promise<void> => {
    while (!closedAt) {
      const t0 = performance.now();
      let answer: Answer | undefined;
      let failure: string | undefined;
      try {
        answer = await post(o.server, path, agent, body);
        if (answer.status !== 201) failure = reason(answer);
      } catch (err) {
        failure = (err as Error).message;
      }
      if (!openedAt || closedAt) continue;
      result.count++;
      if (failure !== undefined) {
        result.errors++;
        result.firstError ??= failure;
      } else {
        result.samples.push(performance.now() - t0);
        if ((answer as Answer).text.includes('"preStop"') !== o.expectMutated) result.wrongMutation++;
      }
      if (result.count >= o.maxRequests) close();
    }
  };
  try {
    await Promise.all(agents.map(client));
  } finally {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    for (const a of agents) a.destroy();
  }
  result.elapsedMs = closedAt - openedAt;
  return result;
}
