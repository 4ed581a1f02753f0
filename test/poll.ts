// The one poll helper of the tests: call `fn` until it returns a value (anything but undefined or
// false), with a growing pause (50 ms to 500 ms); fail after `timeoutMs` with what was awaited and
// the last error, or at once when a watched process has exited (with the tail of its log).
import { readFileSync } from 'node:fs';

/** A process a wait depends on (test/e2e/procs.ts's Component is one). */
export interface Watched {
  name: string;
  logPath: string;
  hasExited(): boolean;
}

export interface PollOptions {
  timeoutMs?: number;
  /** Fail at once when one of these has exited. */
  components?: readonly Watched[] | (() => readonly Watched[]);
  /** The first pause between calls (default 50 ms); it grows by half each time, up to 500 ms. */
  intervalMs?: number;
}

function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  opts: PollOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let delay = opts.intervalMs ?? 50;
  let lastError = '';
  for (;;) {
    const components = typeof opts.components === 'function' ? opts.components() : (opts.components ?? []);
    const dead = components.find((c) => c.hasExited());
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}; its log:\n${tail(dead.logPath)}`);
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 500);
  }
}
