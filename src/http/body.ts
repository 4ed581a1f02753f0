// Reading a request body into one Buffer, with a size limit that holds with or without a
// Content-Length (chunked bodies are counted as they arrive).
import type { IncomingMessage } from 'node:http';

export type BodyError = 'too-large' | 'aborted' | 'over-budget';

/**
 * Calls done once, at the end of the request: with the body, or with why there is none. Past the
 * limit the rest is read and dropped (as body-parser did), so the client gets the answer rather
 * than a reset while it is still sending; the request timeout bounds how long that may take.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (error: BodyError | undefined, body?: Buffer) => void,
  /** Told the size read so far; false refuses the body (over the edge's budget, see budget.ts). */
  admit?: (size: number) => boolean,
): void {
  const declared = req.headers['content-length'];
  let tooLarge = declared !== undefined && Number(declared) > limit;
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (error: BodyError | undefined, body?: Buffer) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  req.on('data', (chunk: Buffer) => {
    if (tooLarge || finished) return;
    size += chunk.length;
    if (size > limit) {
      tooLarge = true;
      first = undefined;
      chunks = undefined;
    } else if (admit && !admit(size)) {
      first = undefined;
      chunks = undefined;
      finish('over-budget');
    } else if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) finish('too-large');
    else finish(undefined, chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
  });
  req.on('error', () => finish('aborted'));
  req.on('aborted', () => finish('aborted'));
}
