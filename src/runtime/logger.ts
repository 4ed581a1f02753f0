// pino JSON logs: ISO time, the level as a word, no pid/hostname (the log collector adds the pod).
import { pino, type DestinationStream, type Logger } from 'pino';
import { LOG_SERIALIZERS } from './log-error.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Characters gathered before a write to standard output, and the longest a line may wait for them.
 * 16 KiB is some 60 admission lines: a write(2) of 4 KiB every 16 lines was still a third of the
 * cost of logging an admission in profiles under load.
 */
export const LOG_BATCH_CHARS = 16384;
export const LOG_FLUSH_MS = 200;

/**
 * Lines gathered into one write: a write(2) per admission line, and sonic-boom's own buffering
 * (which measures its whole buffer again at every line), were most of the cost of logging an
 * admission. The writes themselves stay sonic-boom's, synchronous: nothing is in flight at exit.
 */
export class BatchedLines implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: { write(text: string): unknown; flushSync?(): void },
    private readonly batchChars = LOG_BATCH_CHARS,
    flushMs = LOG_FLUSH_MS,
  ) {
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.batchChars) this.flush();
  }

  /** Writes what is gathered now (pino's logger.flush() calls it). */
  flush(done?: (err?: Error) => void): void {
    if (this.lines.length > 0) {
      const text = this.lines.length === 1 ? (this.lines[0] as string) : this.lines.join('');
      this.lines = [];
      this.chars = 0;
      this.out.write(text);
    }
    done?.();
  }

  flushSync(): void {
    this.flush();
    this.out.flushSync?.();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/**
 * Standard output in batches: a line waits at most LOG_FLUSH_MS, and what is gathered is written
 * when the process exits (a kill that skips 'exit', such as SIGKILL, loses at most that much).
 */
function batchedStdout(): DestinationStream {
  const stream = new BatchedLines(pino.destination({ dest: 1, sync: true }));
  process.once('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // Standard output is gone: nothing to write to.
    }
  });
  return stream;
}

/** pino's isoTime, formatted once per millisecond rather than once per line. */
function isoTime(): () => string {
  let ms = -1;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
}

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: isoTime(),
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: LOG_SERIALIZERS,
  };
  return pino(options, destination ?? batchedStdout());
}
