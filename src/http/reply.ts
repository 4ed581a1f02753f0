// Writing answers: one send() for every route, the JSON Status of a refused request (counted), and
// guard(), which turns an unexpected throw into a counted, logged 500 instead of a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.js';
import { statusBody } from './review-codec.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

export function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, code: number, message: string): void {
  send(res, code, JSON_TYPE, JSON.stringify(statusBody(code, message)));
}

/** The path of a request URL, without its query (for messages and routing). */
export function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}

export interface Replies {
  /** A request that cannot be reviewed: counted by status; `close` ends the connection after it. */
  fail(res: ServerResponse, code: number, message: string, close?: boolean): void;
  /** Runs fn; an unexpected throw is logged, counted and answered 500, never a crash. */
  guard(fn: () => void, req: IncomingMessage, res: ServerResponse): void;
  /** An unexpected error (thrown, or a rejection): logged, counted, answered 500 or the connection cut. */
  unexpected(err: unknown, req: IncomingMessage, res: ServerResponse): void;
}

export function replies(metrics: Metrics, log: Logger): Replies {
  const unexpected: Replies['unexpected'] = (err, req, res) => {
    metrics.internalErrors.inc();
    log.error({ path: pathOf(req.url), err }, 'unexpected error in the HTTP layer');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.setHeader('Connection', 'close');
    sendStatus(res, 500, 'internal error');
  };
  return {
    fail(res, code, message, close = false) {
      metrics.badRequests.inc({ code: String(code) });
      if (close) res.setHeader('Connection', 'close');
      sendStatus(res, code, message);
    },
    guard(fn, req, res) {
      try {
        fn();
      } catch (err) {
        unexpected(err, req, res);
      }
    },
    unexpected,
  };
}
