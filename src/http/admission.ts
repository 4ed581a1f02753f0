// The admission: a decoded AdmissionRequest in, its AdmissionReview response out. The cluster's
// facts and one snapshot of the settings make the engine's input (facts.ts), the engine decides, the
// codec builds the response; then the metrics and the one log line. The sync/async split (facts
// that must be read first) is crossed in andThen alone. While other requests are in flight, the
// admissions ready in one turn of the event loop run back to back (turn-batch.ts). An unexpected
// error in the engine admits the object unchanged, with a warning.
import type { Logger } from 'pino';
import { changeType } from '../engine/changes.js';
import type { AdmissionInput, AdmissionResult } from '../engine/types.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { kindLabel, type Metrics } from '../metrics/metrics.js';
import { gatherInput, type FactSources } from './facts.js';
import { buildResponse, internalErrorResponse, type AdmissionRequest, type AdmissionReviewResponse } from './review-codec.js';
import { runAlone, turnBatch } from './turn-batch.js';

export interface AdmissionDeps extends FactSources {
  settings: () => ClusterSettings;
  /** The engine (src/engine/admit.ts's admit, wired in src/runtime/start.ts). */
  admit: (input: AdmissionInput) => AdmissionResult;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  /** Requests received and not yet answered (routes.ts counts them): above one, admissions are batched. */
  inFlight?: { count: number };
}

/**
 * Reviews one request: `respond` gets the response, at once when every fact is in the caches and
 * nothing else is in flight, else later in the turn or once the reads settle. An error is thrown to
 * the caller when the review ran at once, else given to `failed`.
 */
export type Review = (
  request: AdmissionRequest,
  respond: (response: AdmissionReviewResponse) => void,
  failed: (err: unknown) => void,
  /** A large review, which the edge already gave turns of its own: never batched with others. */
  alone?: boolean,
) => void;

/** Change tags in an admission's log line, at most (the audit annotation is cut at 1000 characters). */
const MAX_LOGGED_CHANGES = 20;

/**
 * The one place an admission's sync/async split is crossed: `fn` applied to a value now, or once a
 * promise of it settles, a rejection or a throw of `fn` then going to `failed`. The fast path
 * (every fact in the caches) never allocates a promise.
 */
function andThen<T>(value: T | Promise<T>, fn: (found: T) => void, failed: (err: unknown) => void): void {
  if (value instanceof Promise) value.then(fn).catch(failed);
  else fn(value);
}

export function admission(deps: AdmissionDeps): Review {
  const gather = gatherInput(deps);
  const now = deps.now ?? performance.now.bind(performance);
  const inFlight = deps.inFlight;
  const schedule = turnBatch(() => (inFlight?.count ?? 0) > 1);
  return (request, respond, failed, alone = false) => {
    // The latency measured includes the wait for the turn's batch.
    const started = now();
    (alone ? runAlone : schedule)((after) => {
      // One snapshot of the settings per admission: the facts and the engine see the same one.
      const cluster = deps.settings();
      andThen(
        gather(request, cluster),
        (input) => {
          const response = answer(request, input, deps, started, now);
          after(() => respond(response));
        },
        failed,
      );
    }, failed);
  };
}

function answer(
  request: AdmissionRequest,
  input: AdmissionInput,
  deps: AdmissionDeps,
  started: number,
  now: () => number,
): AdmissionReviewResponse {
  const kind = kindLabel(request.kind);
  let result: AdmissionResult | undefined;
  let response: AdmissionReviewResponse;
  try {
    result = deps.admit(input);
    response = buildResponse(request.uid, result);
  } catch (err) {
    result = undefined;
    response = internalErrorResponse(request.uid);
    deps.metrics.internalErrors.inc();
    deps.log.error(
      {
        uid: request.uid,
        kind: request.kind.kind,
        namespace: request.namespace,
        name: request.name,
        operation: request.operation,
        err,
      },
      'internal error: admitted unchanged',
    );
  }
  const outcome = result?.outcome ?? 'error';
  const seconds = (now() - started) / 1000;
  deps.metrics.admissions.inc({ kind, operation: request.operation, result: outcome });
  deps.metrics.latency.observe({ result: outcome }, seconds);
  if (result) {
    if (result.patch.length > 0) for (const tag of result.changes) deps.metrics.changes.inc({ type: changeType(tag) });
    if (result.invalidAnnotations > 0) deps.metrics.invalidAnnotations.inc({ kind }, result.invalidAnnotations);
    if (result.sleepFamily) deps.metrics.trafficDecisions.inc({ family: result.sleepFamily });
  }
  // One line per admission; never the object, nor the denial text (it quotes annotation values).
  deps.log.info(
    {
      uid: request.uid,
      kind: request.kind.kind,
      namespace: request.namespace,
      name: request.name,
      operation: request.operation,
      ...(request.subResource ? { subResource: request.subResource } : {}),
      dryRun: request.dryRun,
      outcome,
      ...(result?.reason ? { reason: result.reason } : {}),
      // One tag per container and item: a Pod with thousands of containers would make a line of 100s of KB.
      changes: result && result.patch.length > 0 ? result.changes.slice(0, MAX_LOGGED_CHANGES) : [],
      ...(result && result.changes.length > MAX_LOGGED_CHANGES ? { changeCount: result.changes.length } : {}),
      warnings: response.response.warnings?.length ?? 0,
      ...(result?.invalidAnnotations ? { invalidAnnotations: result.invalidAnnotations } : {}),
      ms: Math.round(seconds * 1e6) / 1e3,
    },
    'admission',
  );
  return response;
}
