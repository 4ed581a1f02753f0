// The HTTP edge's one route table: POST /mutate, GET /healthz and /readyz. Every request is
// dispatched here. The admissions themselves (POST /mutate as the API server spells it, with or
// without a query) take the fast path straight to their handler: express gives every request's
// req and res their own prototypes (Object.setPrototypeOf), which takes them off V8's fast paths,
// and with its router that doubled the CPU time of an admission (make bench: 60 -> 125 us for a
// small Pod). Everything else goes through express, built from the same table: other spellings
// of the paths, 405 for another method on a known path, 404, and express's own error handling.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { mutateRoute, type MutateRouteDeps } from './mutate-route.js';
import { pathOf, replies, send, sendStatus, TEXT_TYPE } from './reply.js';

export { MAX_BODY_BYTES } from './mutate-route.js';

export interface AppDeps extends MutateRouteDeps {
  /** undefined when ready, else why not (for /readyz). */
  notReadyReason: () => string | undefined;
  /** Whether the server is draining: answers then carry Connection: close. */
  draining: () => boolean;
  /** Counts requests in progress (for the shutdown log). */
  inFlight: { count: number };
  /** Told which way each request was dispatched (tests). */
  onDispatch?: (way: 'fast' | 'express', method: string | undefined, url: string | undefined) => void;
}

type Handle = (req: IncomingMessage, res: ServerResponse) => void;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Served without express when the request spells the path exactly (see the file comment). */
  fast: boolean;
  handle: Handle;
}

export function routeTable(deps: AppDeps): Route[] {
  const r = replies(deps.metrics, deps.log);
  return [
    { method: 'POST', path: '/mutate', fast: true, handle: mutateRoute(deps, r) },
    { method: 'GET', path: '/healthz', fast: false, handle: (_req, res) => send(res, 200, TEXT_TYPE, 'ok') },
    {
      method: 'GET',
      path: '/readyz',
      fast: false,
      handle: (_req, res) => {
        const reason = deps.notReadyReason();
        if (reason === undefined) send(res, 200, TEXT_TYPE, 'ok');
        else send(res, 503, TEXT_TYPE, `not ready: ${reason}`);
      },
    },
  ];
}

/** The fast route for a request line, if it has one: the exact method and path, any query. */
export function fastRoute(routes: readonly Route[], method: string | undefined, url: string | undefined): Route | undefined {
  if (url === undefined) return undefined;
  for (const route of routes) {
    if (!route.fast || route.method !== method) continue;
    if (url === route.path || (url.startsWith(route.path) && url.charCodeAt(route.path.length) === 63) /* ? */) return route;
  }
  return undefined;
}

export function createApp(deps: AppDeps): RequestListener {
  const routes = routeTable(deps);
  const r = replies(deps.metrics, deps.log);
  const onClose = () => {
    deps.inFlight.count--;
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
  for (const route of routes) {
    const method = route.method === 'GET' ? 'get' : 'post';
    app[method](route.path, (req: Request, res: Response) => r.guard(() => route.handle(req, res), req, res));
  }
  for (const path of new Set(routes.map((route) => route.path))) {
    const allowed = routes.filter((route) => route.path === path).map((route) => route.method);
    app.all(path, (_req: Request, res: Response) => {
      res.setHeader('Allow', allowed.join(', '));
      sendStatus(res, 405, `only ${allowed.join(', ')} is served on ${path}`);
    });
  }
  app.use((req: Request, res: Response) => sendStatus(res, 404, `no such path: ${req.method} ${pathOf(req.url).slice(0, 100)}`));
  // express's own error path (e.g. a malformed URL): answered, counted, never a crash.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => r.unexpected(err, req, res));
  const viaExpress = app as unknown as RequestListener;

  return (req, res) => {
    const route = fastRoute(routes, req.method, req.url);
    deps.onDispatch?.(route ? 'fast' : 'express', req.method, req.url);
    if (!route) return viaExpress(req, res);
    track(res);
    r.guard(() => route.handle(req, res), req, res);
  };
}
