// Plain JSON GETs against the API server with a kubeconfig's credentials, for `gracekeeper audit`.
// Objects stay exactly as the API server sent them (client-node's models drop fields they do not
// know and turn dates into objects, and the engine's fingerprints hash what is stored), and lists
// are read in pages (`limit` and `continue`), so a large cluster is never one huge response.
// Against a broken or hostile API server every request ends: a deadline for the whole request
// (connect, TLS, headers, body: a body trickled a byte at a time ends too), a size bound per
// answer that the process can parse, a bound on pages, and a continue token seen twice stops the
// list. Server text in messages is stripped of control characters (it reaches a terminal).
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { LIST_PAGE_SIZE } from './trimmed-informer.js';

/** A failed request: the HTTP status (0 when there was no answer) and the API server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Getter = (path: string) => Promise<unknown>;

export interface GetterOptions {
  /** Each request must be answered whole within this. */
  timeoutMs?: number;
  /** Every request must end before this time (Date.now()); a later one fails at once. */
  deadline?: number;
  /** The largest answer read: JSON.parse of one needs several times its size in heap. */
  maxBody?: number;
  accept?: string;
}

const TIMEOUT_MS = 30_000;
/** A page of 500 objects is a few MB; 128 MiB parses within a default heap (450 MiB aborted V8). */
export const MAX_BODY = 128 * 1024 * 1024;
/** Pages of one list, at most: 20,000 of 500 objects is 10 million objects. */
export const MAX_PAGES = 20_000;

/** Text from a server, safe to print: control characters (ESC, CR, C1 ...) become spaces. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/** A GET of an API path (e.g. `/api/v1/namespaces`) as the kubeconfig's current user. */
export function jsonGetter(config: KubeConfig, getterOptions: GetterOptions = {}): Getter {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ApiError(0, 'the kubeconfig has no current cluster (set a current-context)');
  const base = new URL(cluster.server);
  const { timeoutMs = TIMEOUT_MS, deadline, maxBody = MAX_BODY, accept = 'application/json' } = getterOptions;
  return async (path) => {
    const options: RequestOptions = { method: 'GET', headers: { accept } };
    await config.applyToHTTPSOptions(options);
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    const left = deadline === undefined ? timeoutMs : Math.min(timeoutMs, deadline - Date.now());
    if (left <= 0) throw new ApiError(0, `GET ${path}: the audit's deadline passed`);
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      let stage = 'connecting';
      const req = send(url, options, (res) => {
        stage = 'reading the answer';
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBody)
            req.destroy(new ApiError(0, `GET ${path}: answer over ${maxBody} bytes (audit fewer objects: --namespace)`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status !== 200) return reject(new ApiError(status, `GET ${path}: ${status} ${statusMessage(text)}`));
          try {
            resolve(JSON.parse(text) as unknown);
          } catch {
            reject(new ApiError(status, `GET ${path}: the answer is not JSON`));
          }
        });
      });
      req.on('socket', (socket) => {
        socket.once('connect', () => (stage = url.protocol === 'http:' ? 'waiting for the answer' : 'in the TLS handshake'));
        socket.once('secureConnect', () => (stage = 'waiting for the answer'));
      });
      // The whole request, not idle time: a server that trickles a byte every few seconds ends too.
      const timer = setTimeout(
        () => req.destroy(new ApiError(0, `GET ${path}: not answered whole within ${Math.round(left / 100) / 10}s (${stage})`)),
        left,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof ApiError ? err : new ApiError(0, `GET ${path}: ${printable(err.message)}`));
      });
      req.end();
    });
  };
}

/** The API server's Status message, or the start of the body. */
function statusMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return printable(body.message.slice(0, 300));
  } catch {
    // not a Status: fall through
  }
  return printable(text.slice(0, 200)).replace(/\s+/g, ' ');
}

/** Every item of a list path, read page by page (pages as large as the informers'). */
export async function listAll(
  get: Getter,
  path: string,
  pageSize = LIST_PAGE_SIZE,
  params: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    if (++pages > MAX_PAGES) throw new ApiError(0, `LIST ${path}: more than ${MAX_PAGES} pages`);
    const query = new URLSearchParams({ ...params, limit: String(pageSize) });
    if (token) query.set('continue', token);
    const page = (await get(`${path}?${query.toString()}`)) as { items?: unknown; metadata?: { continue?: unknown } };
    if (Array.isArray(page.items)) {
      for (const item of page.items) if (typeof item === 'object' && item !== null) items.push(item as Record<string, unknown>);
    }
    token = typeof page.metadata?.continue === 'string' && page.metadata.continue !== '' ? page.metadata.continue : undefined;
    if (token !== undefined) {
      if (seen.has(token)) throw new ApiError(0, `LIST ${path}: the API server sent the same continue token twice (a loop)`);
      seen.add(token);
    }
  } while (token);
  return items;
}
