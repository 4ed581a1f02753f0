// The HTTP routes (express): POST /mutate, GET /healthz and /readyz. Content type, size limit and
// JSON syntax are checked here; everything about AdmissionReviews is in handler.ts.
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { handleReview, type HandlerDeps } from './handler.js';
import type { Metrics } from './metrics.js';
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

function fail(res: express.Response, code: number, message: string, metrics: Metrics, close = false): void {
  metrics.badRequests.inc({ code: String(code) });
  if (close) res.setHeader('Connection', 'close');
  res.status(code).json(statusBody(code, message));
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  const track: RequestHandler = (_req, res, next) => {
    deps.inFlight.count++;
    res.once('close', () => deps.inFlight.count--);
    if (deps.draining()) res.setHeader('Connection', 'close');
    next();
  };
  app.use(track);

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    const reason = deps.notReadyReason();
    res.type('text/plain');
    if (reason === undefined) res.send('ok');
    else res.status(503).send(`not ready: ${reason}`);
  });

  const requireJson: RequestHandler = (req, res, next) => {
    const is = req.is('application/json');
    if (is === null) fail(res, 400, 'the request has no body: expected an AdmissionReview', deps.metrics);
    else if (is === false) {
      fail(res, 415, `Content-Type must be application/json, got ${JSON.stringify(req.get('content-type') ?? '')}`,
        deps.metrics, true);
    } else next();
  };
  const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false, inflate: false, type: () => true });
  app.post('/mutate', requireJson, parseJson, (req, res) => {
    const out = handleReview(req.body as unknown, deps);
    res.status(out.status).json(out.body);
  });
  app.all('/mutate', (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json(statusBody(405, 'only POST is served on /mutate'));
  });
  app.use((req, res) => {
    res.status(404).json(statusBody(404, `no such path: ${req.method} ${req.path.slice(0, 100)}`));
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (res.headersSent) {
      res.destroy();
      return;
    }
    switch (e.type) {
      case 'entity.too.large':
        return fail(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`, deps.metrics, true);
      case 'entity.parse.failed':
        return fail(res, 400, `the body is not valid JSON: ${String(e.message).slice(0, 200)}`, deps.metrics);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return fail(res, 415, String(e.message).slice(0, 200), deps.metrics, true);
      case 'request.aborted':
      case 'request.size.invalid':
        return fail(res, 400, String(e.message).slice(0, 200), deps.metrics, true);
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return fail(res, e.status, String(e.message ?? 'bad request').slice(0, 200), deps.metrics, true);
    }
    deps.metrics.internalErrors.inc();
    (deps.log as Logger).error({ path: req.path, err: { message: e.message } }, 'unexpected error in the HTTP layer');
    res.setHeader('Connection', 'close');
    res.status(500).json(statusBody(500, 'internal error'));
  };
  app.use(onError);
  return app;
}
