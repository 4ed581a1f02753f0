// Retrying against the API server: exponential backoff with jitter, a timeout for one call, and
// a short description of what failed (for the log line; never a response body).

/** Exponential backoff with jitter: initial, 2x, 4x, ... up to max. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An error of the API or the network in one line for a log field: its message, and its status or code. */
export function errorLine(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown; statusCode?: unknown }).statusCode ?? (err as { code?: unknown }).code;
    return typeof code === 'string' || typeof code === 'number' ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
