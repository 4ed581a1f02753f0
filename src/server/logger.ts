// pino JSON logs: ISO time, the level as a word, no pid/hostname (the log collector adds the pod).
import { pino, type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Bytes gathered before a write to stdout, and the longest a line may wait for them. */
export const LOG_BUFFER_BYTES = 4096;
export const LOG_FLUSH_MS = 200;

/**
 * Standard output, written in batches: one write(2) per admission line was the largest cost left
 * in an admission after the engine. Writes stay synchronous (no thread pool, nothing in flight at
 * exit); a line waits at most LOG_FLUSH_MS, and what is buffered is written when the process
 * exits (a kill that skips 'exit', such as SIGKILL, loses at most that much).
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: true, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS });
  process.once('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // Not open yet or already closed: nothing to write.
    }
  });
  return stream;
}

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(options, destination ?? bufferedStdout());
}
