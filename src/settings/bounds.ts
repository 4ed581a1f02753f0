// Bounds checked on the settings file's text BEFORE it is parsed: a file that fits a ConfigMap
// (1 MiB) can still hold a flow list of 300,000 items, and the YAML parser builds a node for each:
// it ran out of a 256 MB heap (a V8 abort of every replica, at reload and again at start). The
// lexer counts list entries without building anything (a 1 MB file in about 0.25 s, in constant
// memory); only a file within both bounds is parsed. The figures are in docs/failure-modes.md.
import { Lexer } from 'yaml';

/** The largest settings file read (the shipped one, every setting with its comment, is about 5 KB). */
export const MAX_SETTINGS_BYTES = 64 * 1024;
/** The most entries of sequences and flow collections, in all, a settings file may hold. */
export const MAX_SETTINGS_ITEMS = 2000;
/** The deepest nesting of collections (the deepest setting, a trafficPaths rule's match, is 3). */
export const MAX_SETTINGS_DEPTH = 16;

/** Why the text is refused before parsing, or undefined when it may be parsed. */
export function settingsTextProblem(text: string): string | undefined {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SETTINGS_BYTES) {
    return `the file is ${bytes} bytes: at most ${MAX_SETTINGS_BYTES} are read (list fewer namespaces or rules)`;
  }
  let items = 0;
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === ',' || token === '-') {
      items++;
      if (items > MAX_SETTINGS_ITEMS)
        return `more than ${MAX_SETTINGS_ITEMS} list entries: at most ${MAX_SETTINGS_ITEMS} are accepted in all`;
    } else if (token === '[' || token === '{') {
      depth++;
      if (depth > MAX_SETTINGS_DEPTH) return `collections nested deeper than ${MAX_SETTINGS_DEPTH} levels`;
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}
