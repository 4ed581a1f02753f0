// POST /mutate, the transport of an admission: the request checked as the API server sends it (a
// JSON body, UTF-8, uncompressed, at most MAX_BODY_BYTES, within the edge's budget), read raw (body
// parsers showed up in profiles), decoded (review-codec.ts), reviewed (admission.ts), and the
// response written. Nothing here knows what an AdmissionReview holds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admission, type AdmissionDeps } from './admission.js';
import { readBody } from './body.js';
import { Budget, countContainers, reviewCost } from './budget.js';
import { clientCertRefusal } from './client-auth.js';
import { JSON_TYPE, send, type Replies } from './reply.js';
import { decodeBody } from './review-codec.js';

export interface MutateRouteDeps extends AdmissionDeps {
  /** --client-ca: POST /mutate only over a connection whose client certificate the CA verified. */
  clientCertRequired?: boolean;
}

/**
 * kube-apiserver accepts request bodies of at most 3 MiB, so no object it admits is larger; an
 * AdmissionReview of an UPDATE carries the object and the old object, up to twice that. 7 MiB
 * holds both with the review's own fields; anything larger is not from an API server and gets 413
 * before a byte of it is parsed.
 */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

/**
 * The most objects and arrays a review may hold. The densest real reviews measured hold one per
 * 30 bytes or more (a Pod's containers, env, ports: docs/failure-modes.md), so 7 MiB of them holds
 * fewer than 250,000; past this the body was built to make the parser work, and gets 413 before it
 * is parsed.
 */
export const MAX_JSON_CONTAINERS = 500_000;

/** Media type and charset of a Content-Type header, lower-cased. */
function contentType(header: string | undefined): { type: string; charset: string | undefined } {
  if (header === undefined) return { type: '', charset: undefined };
  const semicolon = header.indexOf(';');
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const charset =
    semicolon < 0 ? undefined : /(?:^|;)\s*charset\s*=\s*"?([^";\s]*)/i.exec(header.slice(semicolon))?.[1]?.toLowerCase();
  return { type, charset };
}

/** Why the headers alone make the request unreviewable, as [status, message, close], or undefined. */
function refuseByHeaders(req: IncomingMessage): [number, string, boolean] | undefined {
  const headers = req.headers;
  const hasBody = headers['transfer-encoding'] !== undefined || headers['content-length'] !== undefined;
  if (!hasBody) return [400, 'the request has no body: expected an AdmissionReview', false];
  const { type, charset } = contentType(headers['content-type']);
  if (type !== 'application/json') {
    return [
      415,
      `Content-Type must be application/json, got ${JSON.stringify((headers['content-type'] ?? '').slice(0, 80))}`,
      true,
    ];
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return [415, `unsupported charset ${JSON.stringify(charset.slice(0, 40))}: expected utf-8`, true];
  }
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return [415, `unsupported content encoding ${JSON.stringify(encoding.slice(0, 40))}: send the body uncompressed`, true];
  }
  return undefined;
}

export function mutateRoute(
  deps: MutateRouteDeps,
  r: Replies,
  budget = new Budget(),
): (req: IncomingMessage, res: ServerResponse) => void {
  const review = admission(deps);
  const busy = (res: ServerResponse) => {
    res.setHeader('Retry-After', '1');
    r.fail(res, 429, 'too many large admission reviews in flight: try again', true);
  };
  return (req, res) => {
    const unverified = deps.clientCertRequired ? clientCertRefusal(req) : undefined;
    if (unverified) return r.fail(res, ...unverified);
    const refused = refuseByHeaders(req);
    if (refused) return r.fail(res, ...refused);
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    // Refused from the headers alone, at once, rather than after reading (and dropping) the body.
    if (declared !== undefined && declared > MAX_BODY_BYTES)
      return r.fail(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`, true);
    const reservation = budget.reserve(declared ?? 0);
    if (!reservation) return busy(res);
    res.on('close', () => reservation.release());
    const admitChunked = declared === undefined ? (size: number) => reservation.resize(size) : undefined;
    readBody(
      req,
      MAX_BODY_BYTES,
      (error, body) =>
        r.guard(
          () => {
            if (error === 'too-large') return r.fail(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`, true);
            if (error === 'over-budget') return busy(res);
            if (error !== undefined || body === undefined)
              return r.fail(res, 400, `the request was not read completely: ${error}`, true);
            if (body.length === 0) return r.fail(res, 400, 'the request has no body: expected an AdmissionReview');
            const containers = countContainers(body, MAX_JSON_CONTAINERS);
            if (containers > MAX_JSON_CONTAINERS) {
              return r.fail(res, 413, `the body holds more than ${MAX_JSON_CONTAINERS} JSON objects and arrays`, true);
            }
            if (!reservation.resize(reviewCost(body.length, containers))) return busy(res);
            // A large review blocks the event loop while it is parsed and again while it is mutated:
            // between the two, and before, reviews already waiting get their turn.
            const step = reservation.large
              ? (fn: () => void) => setImmediate(() => r.guard(fn, req, res))
              : (fn: () => void) => fn();
            step(() => {
              const decoded = decodeBody(body);
              if (!decoded.ok) {
                const { message, reason } = decoded.error;
                if (reason !== undefined) deps.log.warn({ reason }, 'malformed AdmissionReview');
                return r.fail(res, 400, message);
              }
              step(() =>
                review(
                  decoded.value,
                  (response) => r.guard(() => send(res, 200, JSON_TYPE, JSON.stringify(response)), req, res),
                  (err) => r.unexpected(err, req, res),
                  reservation.large,
                ),
              );
            });
          },
          req,
          res,
        ),
      admitChunked,
    );
  };
}
