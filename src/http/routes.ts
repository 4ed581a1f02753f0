// The HTTP routes on express, with no middleware at all: POST /mutate, GET /healthz and /readyz.
// The body is read raw with a size limit (body parsers and res.json showed up in profiles), and
// content type and JSON syntax are checked here; everything about AdmissionReviews is in handler.ts.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { readBody } from './body.js';
import { handleReview, type HandlerDeps } from './handler.js';
import { statusBody } from './response.js';

/** The API server sends at most 3 MiB objects; the contract allows 7 MiB bodies. */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

export interface AppDeps extends HandlerDeps {
  /** undefined when ready, else why not (for /readyz). */
  notReadyReason: () => string | undefined;
  /** Whether the server is draining: answers then carry Connection: close. */
  draining: () => boolean;
  /** Counts requests in progress (for the shutdown log). */
  inFlight: { count: number };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Media type and charset of a Content-Type header, lower-cased. */
function contentType(header: string | undefined): { type: string; charset: string | undefined } {
  if (header === undefined) return { type: '', charset: undefined };
  const semicolon = header.indexOf(';');
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const charset =
    semicolon < 0 ? undefined : /(?:^|;)\s*charset\s*=\s*"?([^";\s]*)/i.exec(header.slice(semicolon))?.[1]?.toLowerCase();
  return { type, charset };
}

/** The path of a request URL, without its query (for messages). */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}

export function createApp(deps: AppDeps): RequestListener {
  const { metrics } = deps;
  const onClose = () => {
    deps.inFlight.count--;
  };

  const fail = (res: ServerResponse, code: number, message: string, close = false): void => {
    metrics.badRequests.inc({ code: String(code) });
    if (close) res.setHeader('Connection', 'close');
    send(res, code, JSON_TYPE, JSON.stringify(statusBody(code, message)));
  };

  const mutate = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = req.headers;
    const hasBody = headers['transfer-encoding'] !== undefined || headers['content-length'] !== undefined;
    if (!hasBody) return fail(res, 400, 'the request has no body: expected an AdmissionReview');
    const { type, charset } = contentType(headers['content-type']);
    if (type !== 'application/json') {
      return fail(res, 415, `Content-Type must be application/json, got ${JSON.stringify(headers['content-type'] ?? '')}`, true);
    }
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return fail(res, 415, `unsupported charset ${JSON.stringify(charset.slice(0, 40))}: expected utf-8`, true);
    }
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return fail(
        res,
        415,
        `unsupported content encoding ${JSON.stringify(encoding.slice(0, 40))}: send the body uncompressed`,
        true,
      );
    }
    readBody(req, MAX_BODY_BYTES, (error, body) =>
      guard(
        () => {
          if (error === 'too-large') return fail(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`, true);
          if (error !== undefined || body === undefined)
            return fail(res, 400, `the request was not read completely: ${error}`, true);
          if (body.length === 0) return fail(res, 400, 'the request has no body: expected an AdmissionReview');
          let parsed: unknown;
          try {
            parsed = JSON.parse(body.toString('utf8'));
          } catch (err) {
            return fail(res, 400, `the body is not valid JSON: ${String((err as Error).message).slice(0, 200)}`);
          }
          const out = handleReview(parsed, deps);
          if (!(out instanceof Promise)) return send(res, out.status, JSON_TYPE, JSON.stringify(out.body));
          out.then(
            (later) => guard(() => send(res, later.status, JSON_TYPE, JSON.stringify(later.body)), req, res),
            (err: unknown) =>
              guard(
                () => {
                  throw err;
                },
                req,
                res,
              ),
          );
        },
        req,
        res,
      ),
    );
  };

  /** Runs fn; an unexpected throw is logged, counted and answered 500, never a crash. */
  const guard = (fn: () => void, req: IncomingMessage, res: ServerResponse): void => {
    try {
      fn();
    } catch (err) {
      metrics.internalErrors.inc();
      deps.log.error({ path: pathOf(req.url), err: { message: (err as Error)?.message } }, 'unexpected error in the HTTP layer');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.setHeader('Connection', 'close');
      send(res, 500, JSON_TYPE, JSON.stringify(statusBody(500, 'internal error')));
    }
  };

  /** Every request: counted while in progress, and told to close the connection while draining. */
  const track = (res: ServerResponse): void => {
    deps.inFlight.count++;
    res.on('close', onClose);
    if (deps.draining()) res.setHeader('Connection', 'close');
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((_req: Request, res: Response, next: NextFunction) => {
    track(res);
    next();
  });
  app.post('/mutate', (req: Request, res: Response) => guard(() => mutate(req, res), req, res));
  app.all('/mutate', (_req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    send(res, 405, JSON_TYPE, JSON.stringify(statusBody(405, 'only POST is served on /mutate')));
  });
  app.get('/healthz', (_req: Request, res: Response) => send(res, 200, TEXT_TYPE, 'ok'));
  app.get('/readyz', (_req: Request, res: Response) => {
    const reason = deps.notReadyReason();
    if (reason === undefined) send(res, 200, TEXT_TYPE, 'ok');
    else send(res, 503, TEXT_TYPE, `not ready: ${reason}`);
  });
  app.use((req: Request, res: Response) => {
    send(res, 404, JSON_TYPE, JSON.stringify(statusBody(404, `no such path: ${req.method} ${pathOf(req.url).slice(0, 100)}`)));
  });
  // express's own error path (e.g. a malformed URL): answered, counted, never a crash.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    guard(
      () => {
        throw err;
      },
      req,
      res,
    );
  });
  const viaExpress = app as unknown as RequestListener;
  // The admissions themselves (POST /mutate, spelled as the API server spells it) go to the same
  // handler without passing through express: express gives every request's req and res its own
  // prototypes (Object.setPrototypeOf), which takes them off V8's fast paths, and with its router
  // that doubled the CPU time of an admission (make bench: 60 -> 125 us for a small Pod).
  // Every other request, and any other spelling of /mutate, is express's.
  return (req, res) => {
    const url = req.url;
    if (req.method === 'POST' && (url === '/mutate' || url?.startsWith('/mutate?'))) {
      track(res);
      guard(() => mutate(req, res), req, res);
    } else viaExpress(req, res);
  };
}
