// The one shape of an error in a log line: `{ err }`, rendered as pino's standard serializer does
// (type, message, stack, and the error's own scalar fields such as a status `code`), but bounded:
// an API error's message can carry a whole response (client-node's ApiException puts the body
// and headers in it), and its object fields (body, headers) are never logged.

/** The longest message, stack and string field of an error in a log line. */
export const MAX_ERROR_MESSAGE_CHARS = 500;
export const MAX_ERROR_STACK_CHARS = 4000;
const MAX_FIELD_CHARS = 200;
const MAX_FIELDS = 8;
/** pino's own names, and what is never copied. */
const SKIPPED = new Set(['type', 'message', 'stack', 'name', 'cause', 'body', 'headers', 'response', 'request']);

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface ErrorFields {
  type: string;
  message: string;
  stack?: string;
  [field: string]: string | number | boolean | undefined;
}

type ErrorLike = { message: string; name?: unknown; stack?: unknown; constructor?: unknown };

/** As pino decides it: anything with a message (an Error, or an object shaped as one). */
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/** pino's `err` serializer, bounded: what a thrown value says, without what it carries. */
export function errorFields(err: unknown): ErrorFields {
  if (!isErrorLike(err)) {
    // An object's own text could be anything (or throw, without a prototype): only its kind is said.
    const text = typeof err === 'object' && err !== null ? Object.prototype.toString.call(err) : String(err);
    return { type: err === null ? 'null' : typeof err, message: bounded(text, MAX_ERROR_MESSAGE_CHARS) };
  }
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const fields: ErrorFields = {
    type: typeof err.constructor === 'function' && err.constructor.name ? err.constructor.name : name,
    message: bounded(err.message, MAX_ERROR_MESSAGE_CHARS),
  };
  if (typeof err.stack === 'string' && err.stack !== '') {
    // V8 starts a stack with "name: message": that line is bounded as the message is, the frames kept.
    const header = `${name}: ${err.message}`;
    const stack = err.stack.startsWith(header) ? `${name}: ${fields.message}${err.stack.slice(header.length)}` : err.stack;
    fields.stack = bounded(stack, MAX_ERROR_STACK_CHARS);
  }
  let copied = 0;
  for (const [key, value] of Object.entries(err)) {
    if (copied >= MAX_FIELDS) break;
    if (SKIPPED.has(key)) continue;
    if (typeof value === 'string') fields[key] = bounded(value, MAX_FIELD_CHARS);
    else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
    else continue;
    copied++;
  }
  return fields;
}

/** The serializers of every logger (createLogger's and the tests'): without a prototype, as pino's own. */
export const LOG_SERIALIZERS: Record<string, (value: unknown) => unknown> = Object.assign(Object.create(null) as object, {
  err: errorFields,
});
