// Reading manifests: one or many YAML or JSON documents, `kind: List` expanded, errors with a line.
import { LineCounter, parseAllDocuments } from 'yaml';

export class InputError extends Error {}

export interface ReadDocuments {
  documents: unknown[];
  /** Whether the input looked like JSON (then JSON is the natural output). */
  json: boolean;
}

/** Parses the text of a file (or stdin); `source` names it in messages. */
export function readDocuments(text: string, source: string): ReadDocuments {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(text);
      return { documents: Array.isArray(value) ? value : [value], json: true };
    } catch {
      // Not JSON after all (YAML flow style, or broken): the YAML parser gives line numbers.
    }
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const documents: unknown[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new InputError(`${source}:${line}:${col}: ${error.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) documents.push(value);
  }
  return { documents, json: false };
}

/** Whether a document is a `kind: List` (v1 List, or any *List with items). */
export function isList(doc: unknown): doc is { items: unknown[] } & Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null) return false;
  const { kind, items } = doc as { kind?: unknown; items?: unknown };
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items);
}
