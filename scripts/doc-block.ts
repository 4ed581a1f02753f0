// Generated blocks of the Markdown pages: the text from one marker comment to another, rewritten
// by what derived or measured it (make docs, make bench, make bench-scale, make bench-peers,
// make rollout-proof). One way to find and replace them, for all of those.
import { readFile, writeFile } from 'node:fs/promises';

/** `text` with the block from `open` to `close` (both markers included) replaced by `block`; undefined when a marker is missing. */
export function replaceMarked(text: string, open: string, close: string, block: string): string | undefined {
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) return undefined;
  return text.slice(0, start) + block + text.slice(end + close.length);
}

/** The same in a file; false, and the file left alone, when a marker is missing. */
export async function updateMarked(path: string, open: string, close: string, block: string): Promise<boolean> {
  const next = replaceMarked(await readFile(path, 'utf8'), open, close, block);
  if (next === undefined) return false;
  await writeFile(path, next);
  return true;
}

/** A block between its markers: `open`, the body, `close`, each on its own line. */
export function marked(open: string, body: string, close: string): string {
  return `${open}\n${body}\n${close}`;
}
