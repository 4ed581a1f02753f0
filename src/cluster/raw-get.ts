// Plain JSON GETs against the API server with a kubeconfig's credentials, for `gracekeeper audit`.
// Objects stay exactly as the API server sent them (client-node's models drop fields they do not
// know and turn dates into objects, and the engine's fingerprints hash what is stored), and lists
// are read in pages (`limit` and `continue`), so a large cluster is never one huge response.
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

const TIMEOUT_MS = 30_000;
const MAX_BODY = 512 * 1024 * 1024;

/** A GET of an API path (e.g. `/api/v1/namespaces`) as the kubeconfig's current user. */
export function jsonGetter(config: KubeConfig): Getter {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ApiError(0, 'the kubeconfig has no current cluster (set a current-context)');
  const base = new URL(cluster.server);
  return async (path) => {
    const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
    await config.applyToHTTPSOptions(options);
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = send(url, { ...options, timeout: TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) req.destroy(new ApiError(0, `GET ${path}: response over ${MAX_BODY} bytes`));
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
      req.on('timeout', () => req.destroy(new ApiError(0, `GET ${path}: no answer within ${TIMEOUT_MS / 1000}s`)));
      req.on('error', (err) => reject(err instanceof ApiError ? err : new ApiError(0, `GET ${path}: ${err.message}`)));
      req.end();
    });
  };
}

/** The API server's Status message, or the start of the body. */
function statusMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message.slice(0, 300);
  } catch {
    // not a Status: fall through
  }
  return text.slice(0, 200).replace(/\s+/g, ' ');
}

/** Every item of a list path, read page by page (pages as large as the informers'). */
export async function listAll(
  get: Getter,
  path: string,
  pageSize = LIST_PAGE_SIZE,
  params: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ ...params, limit: String(pageSize) });
    if (token) query.set('continue', token);
    const page = (await get(`${path}?${query.toString()}`)) as { items?: unknown; metadata?: { continue?: unknown } };
    if (Array.isArray(page.items)) {
      for (const item of page.items) if (typeof item === 'object' && item !== null) items.push(item as Record<string, unknown>);
    }
    token = typeof page.metadata?.continue === 'string' && page.metadata.continue !== '' ? page.metadata.continue : undefined;
  } while (token);
  return items;
}
