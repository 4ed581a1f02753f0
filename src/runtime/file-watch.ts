// Watching files for new content: fs.watch on their directories (a Kubernetes ConfigMap or Secret
// volume swaps a symlink, which only the directory sees) for speed, polling for certainty. Compares
// contents, not times, so a rewrite with the same bytes is no change.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readBounded } from './bounded-read.js';

export interface FileWatch {
  /** Reads the files now and reports a change; resolves when done. */
  check(): Promise<void>;
  close(): void;
}

export interface FileWatchOptions {
  /** Polling interval. */
  intervalMs: number;
  /** The contents already in use (so that only later changes are reported). */
  initial: Buffer[];
  /** New contents of every file (all read together). */
  onChange: (contents: Buffer[]) => void;
  /** Files larger than this are not read: a read failure (default: no bound). */
  maxBytes?: number;
  /** A read failed (file missing, unreadable, too large): reported once per distinct message. */
  onError: (err: Error) => void;
}

export function watchFiles(paths: readonly string[], options: FileWatchOptions): FileWatch {
  let last = options.initial;
  let lastError = '';
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;

  const readAll = async (): Promise<void> => {
    let contents: Buffer[];
    try {
      const max = options.maxBytes;
      contents = await Promise.all(paths.map((p) => (max === undefined ? readFile(p) : readBounded(p, max))));
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) options.onError(err as Error);
      lastError = message;
      return;
    }
    lastError = '';
    if (closed) return;
    if (contents.length === last.length && contents.every((c, i) => c.equals(last[i] as Buffer))) return;
    last = contents;
    options.onChange(contents);
  };

  const check = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await readAll();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const poll = setInterval(() => void check(), options.intervalMs);
  poll.unref();
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(paths.map((p) => dirname(p)))) {
    try {
      const watcher = watch(dir, { persistent: false }, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void check(), 50);
        debounce.unref();
      });
      watcher.on('error', () => watcher.close()); // polling still covers it
      watchers.push(watcher);
    } catch {
      // fs.watch is unavailable here (some network filesystems): polling alone.
    }
  }

  return {
    check,
    close() {
      closed = true;
      clearInterval(poll);
      clearTimeout(debounce);
      for (const w of watchers) w.close();
    },
  };
}
