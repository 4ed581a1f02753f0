// Reading manifests: one or many YAML or JSON documents, `kind: List` expanded, errors with a line.
// YAML scalars are read as kubectl reads them (yaml-scalars.ts: `0400` octal, `no`/`on` booleans).
// Every document must be an object of a bounded depth that does not contain itself: anything else
// is no Kubernetes object, and a printer would fail on it (JSON.stringify and the YAML printer
// recurse, and throw on a value deep enough or on a cycle, which a YAML alias can make).
import { LineCounter, parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';
import { kubectlTags } from './yaml-scalars.js';

export class InputError extends Error {}

/** Deeper than this, a document is refused (Kubernetes objects nest a few dozen levels; the YAML printer fails past about 600). */
export const MAX_DEPTH = 256;

export interface ReadDocuments {
  documents: unknown[];
  /** Whether the input looked like JSON (then JSON is the natural output). */
  json: boolean;
  /**
   * YAML input only, one per document (empty ones included, so that together they are the whole
   * text): where it starts and ends in the text, where its content starts and ends, and its index
   * in `documents` (undefined for an empty document). A document printed unchanged is its own text.
   */
  spans?: DocumentSpan[];
}

export interface DocumentSpan {
  start: number;
  contentStart: number;
  contentEnd: number;
  end: number;
  index?: number;
}

/** Options of the `yaml` package that read as kubectl does. */
export const KUBECTL_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: kubectlTags,
  merge: true,
};

/** Parses the text of a file (or stdin); `source` names it in messages. */
export function readDocuments(text: string, source: string): ReadDocuments {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      // Not JSON after all (YAML flow style, or broken): the YAML parser gives line numbers.
    }
    if (parsed) {
      const documents = Array.isArray(value) ? value : [value];
      documents.forEach((d, i) => check(d, Array.isArray(value) ? `${source}: item ${i + 1}` : `${source}: the document`));
      return { documents, json: true };
    }
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    ...KUBECTL_YAML,
    lineCounter,
    prettyErrors: false,
  });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const documents: unknown[] = [];
  const spans: DocumentSpan[] = [];
  docs.forEach((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = /call stack/i.test(error.message) ? 'nested too deeply to read' : error.message.split('\n')[0];
      throw new InputError(`${source}:${line}:${col}: ${message}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    // Spans cover the text end to end: each starts where the one before ended.
    const span: DocumentSpan = {
      start: spans.at(-1)?.end ?? 0,
      contentStart: doc.contents?.range?.[0] ?? doc.range[0],
      contentEnd: doc.contents?.range?.[2] ?? doc.range[2],
      end: i === docs.length - 1 ? text.length : doc.range[2],
    };
    spans.push(span);
    if (value === null || value === undefined) return;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    check(value, `${source}:${lineCounter.linePos(start).line}: document ${i + 1}`);
    span.index = documents.length;
    documents.push(value);
  });
  return { documents, json: false, spans };
}

/** Whether a document is a `kind: List` (v1 List, or any *List with items). */
export function isList(doc: unknown): doc is { items: unknown[] } & Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null) return false;
  const { kind, items } = doc as { kind?: unknown; items?: unknown };
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** Throws an InputError naming `what` unless the document (and each item of a List) is a usable object. */
function check(doc: unknown, what: string): void {
  if (!isObject(doc) || Array.isArray(doc)) throw new InputError(`${what} is not a Kubernetes object: it is ${describe(doc)}`);
  const problem = shapeProblem(doc, MAX_DEPTH);
  if (problem) throw new InputError(`${what} ${problem}`);
  if (isList(doc)) {
    doc.items.forEach((item, i) => {
      if (!isObject(item) || Array.isArray(item)) {
        throw new InputError(`${what}, item ${i + 1} of the List, is not a Kubernetes object: it is ${describe(item)}`);
      }
    });
  }
}

/**
 * Why a value cannot be processed, if it nests more than `limit` levels or contains itself; walked
 * with a stack of its own (no recursion), each object on the current path remembered.
 */
export function shapeProblem(value: unknown, limit: number): string | undefined {
  if (!isObject(value)) return undefined;
  const path = new Set<object>();
  const stack: { node: object; depth: number; leave?: true }[] = [{ node: value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.leave) {
      path.delete(top.node);
      continue;
    }
    if (top.depth > limit) return `is nested more than ${limit} levels deep`;
    path.add(top.node);
    stack.push({ node: top.node, depth: top.depth, leave: true });
    for (const child of Array.isArray(top.node) ? (top.node as unknown[]) : Object.values(top.node)) {
      if (!isObject(child)) continue;
      if (path.has(child)) return 'contains itself (a YAML alias inside its own anchor)';
      stack.push({ node: child, depth: top.depth + 1 });
    }
  }
  return undefined;
}
