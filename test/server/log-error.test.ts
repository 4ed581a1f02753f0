// Errors in log lines: one shape, `{ err }`, rendered by the logger's err serializer as pino's
// standard one does (type, message, stack, scalar fields), bounded, never an error's objects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/runtime/logger.js';
import { errorFields, MAX_ERROR_MESSAGE_CHARS, MAX_ERROR_STACK_CHARS } from '../../src/runtime/log-error.js';

/** One line of createLogger's, as it reaches standard output. */
function logged(fields: Record<string, unknown>): Record<string, unknown> {
  const writes: string[] = [];
  createLogger('info', { write: (text: string) => void writes.push(text) }).warn(fields, 'it failed');
  assert.equal(writes.length, 1);
  return JSON.parse(writes[0]) as Record<string, unknown>;
}

/** client-node's ApiException, in shape: the whole answer in its message, its body and headers as fields. */
class ApiException extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(
      `HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ${JSON.stringify(body)}\nHeaders: ${JSON.stringify(headers)}`,
    );
  }
}

describe('errors in log lines', () => {
  it("createLogger renders { err } as pino's type, message and stack, with a system error's code", () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, open '/etc/gk/config.yaml'"), {
      code: 'ENOENT',
      errno: -2,
    });
    const line = logged({ file: '/etc/gk/config.yaml', err });
    assert.equal(line.msg, 'it failed');
    assert.equal(line.file, '/etc/gk/config.yaml');
    const rendered = line.err as Record<string, unknown>;
    assert.deepEqual(Object.keys(rendered), ['type', 'message', 'stack', 'code', 'errno']);
    assert.equal(rendered.type, 'Error');
    assert.equal(rendered.message, err.message);
    assert.equal(rendered.stack, err.stack);
    assert.equal(rendered.code, 'ENOENT');
    assert.equal(rendered.errno, -2);
  });

  it("an API error's body and headers stay out, and a long message is cut, in the stack's first line too", () => {
    const body = { kind: 'Status', message: 'x'.repeat(20_000) };
    const line = logged({ err: new ApiException(500, body, { 'audit-id': 'a1', 'content-type': 'application/json' }) });
    const rendered = line.err as Record<string, unknown>;
    assert.equal(rendered.type, 'ApiException');
    assert.equal(rendered.code, 500);
    assert.equal(rendered.body, undefined);
    assert.equal(rendered.headers, undefined);
    assert.equal(String(rendered.message).length, MAX_ERROR_MESSAGE_CHARS);
    assert.match(String(rendered.message), /^HTTP-Code: 500\nMessage: Unknown API Status Code!\nBody: \{"kind":"Status".*x…$/);
    const stack = String(rendered.stack);
    assert.ok(stack.length <= MAX_ERROR_STACK_CHARS, `${stack.length} characters`);
    assert.ok(stack.startsWith(`Error: ${String(rendered.message)}\n    at `), stack.slice(0, 600));
    assert.ok(JSON.stringify(line).length < MAX_ERROR_MESSAGE_CHARS + MAX_ERROR_STACK_CHARS + 200);
  });

  it('a thrown value that is not an Error is a bounded message, never its contents', () => {
    assert.deepEqual(errorFields('socket hang up'), { type: 'string', message: 'socket hang up' });
    assert.deepEqual(errorFields({ secret: 'token' }), { type: 'object', message: '[object Object]' });
    assert.equal(errorFields('y'.repeat(10_000)).message.length, MAX_ERROR_MESSAGE_CHARS);
    assert.deepEqual(errorFields(Object.create(null)), { type: 'object', message: '[object Object]' });
    assert.deepEqual(errorFields(null), { type: 'null', message: 'null' });
  });

  it('an object shaped as an error (a message, a stack) is rendered as one, as pino does', () => {
    const rendered = errorFields({ message: 'boom', stack: 'Error: boom\n    at admit (engine.js:1:1)', code: 7, extra: {} });
    assert.deepEqual(rendered, { type: 'Object', message: 'boom', stack: 'Error: boom\n    at admit (engine.js:1:1)', code: 7 });
  });

  it("an error's own object fields are left out, its string fields cut", () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), {
      response: { statusCode: 503 },
      address: '10.0.0.1',
      syscall: 'z'.repeat(1000),
    });
    const rendered = errorFields(err);
    assert.equal(rendered.response, undefined);
    assert.equal(rendered.address, '10.0.0.1');
    assert.equal(String(rendered.syscall).length, 200);
  });
});
