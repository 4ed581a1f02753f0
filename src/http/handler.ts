// The admission handler: a decoded AdmissionReview in, the engine's answer out, with the log line
// and the metrics. Any unexpected error admits the object unchanged, with a warning.
import type { Logger } from 'pino';
import { admit as engineAdmit } from '../engine/admit.js';
import { changeType } from '../engine/changes.js';
import type { AdmissionInput, AdmissionResult } from '../engine/types.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import type { NamespaceSource, OwnerSource, VersionSource } from '../cluster/sources.js';
import type { OutcomeSource } from '../cluster/outcome-watch.js';
import type { TrafficSource } from '../cluster/traffic-source.js';
import { gatherFacts, type Facts } from './facts.js';
import { kindLabel, type Metrics } from '../metrics/metrics.js';
import { buildResponse, internalErrorResponse, statusBody, type AdmissionReviewResponse, type StatusBody } from './response.js';
import { decodeReview, type AdmissionRequest } from './review.js';

export interface HandlerDeps {
  settings: () => ClusterSettings;
  namespaces: NamespaceSource;
  version: VersionSource;
  /** A Pod's owning workload's annotations (absent without a cluster). */
  owners?: OwnerSource;
  /** What sends traffic to pods (absent without a cluster). */
  traffic?: TrafficSource;
  /** How pods stopped and started (absent without a cluster). */
  outcomes?: Pick<OutcomeSource, 'outcomes'>;
  metrics: Metrics;
  log: Logger;
  /** The engine; replaceable in tests (e.g. to show the internal-error path). */
  admit?: (input: AdmissionInput) => AdmissionResult;
  now?: () => number;
  /** --client-ca: POST /mutate only over a connection whose client certificate the CA verified. */
  clientCertRequired?: boolean;
}

/** Change tags in an admission's log line, at most (the audit annotation is cut at 1000 characters). */
const MAX_LOGGED_CHANGES = 20;

export type HandlerOutput = { status: 200; body: AdmissionReviewResponse } | { status: 400; body: StatusBody };

/** What the engine is given for a request: the request, the cluster's facts, the settings in force. */
export function admissionInput(
  request: AdmissionRequest,
  deps: HandlerDeps,
  facts: Facts,
  cluster: ClusterSettings,
): AdmissionInput {
  return {
    kind: request.kind,
    operation: request.operation,
    ...(request.subResource ? { subResource: request.subResource } : {}),
    namespace: request.namespace,
    object: request.object,
    namespaceLabels: facts.namespaceLabels,
    namespaceAnnotations: facts.namespaceAnnotations,
    ...(facts.ownerAnnotations ? { ownerAnnotations: facts.ownerAnnotations } : {}),
    ...(facts.traffic ? { traffic: facts.traffic } : {}),
    ...(facts.outcomes ? { outcomes: facts.outcomes } : {}),
    kubeVersion: deps.version.current(),
    cluster,
  };
}

/**
 * The one place an admission's sync/async split is crossed: `fn` applied to a value now, or once a
 * promise of it settles. The fast path (every fact in the caches) never allocates a promise.
 */
export function andThen<T, U>(value: T | Promise<T>, fn: (found: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** Answers a review: at once from the caches, or after the few reads gatherFacts needs. */
export function handleReview(body: unknown, deps: HandlerDeps): HandlerOutput | Promise<HandlerOutput> {
  const now = deps.now ?? performance.now.bind(performance);
  const started = now();
  const decoded = decodeReview(body);
  if (!decoded.ok) {
    deps.metrics.badRequests.inc({ code: '400' });
    deps.log.warn({ reason: decoded.reason }, 'malformed AdmissionReview');
    return { status: 400, body: statusBody(400, `not a valid AdmissionReview: ${decoded.reason}`) };
  }
  const request = decoded.request;
  // One snapshot of the settings per admission: the facts and the engine see the same one.
  const cluster = deps.settings();
  return andThen(gatherFacts(request, deps, cluster), (facts) => answer(request, deps, facts, cluster, started, now));
}

function answer(
  request: AdmissionRequest,
  deps: HandlerDeps,
  facts: Facts,
  cluster: ClusterSettings,
  started: number,
  now: () => number,
): HandlerOutput {
  const kind = kindLabel(request.kind);
  let result: AdmissionResult | undefined;
  let response: AdmissionReviewResponse;
  try {
    result = (deps.admit ?? engineAdmit)(admissionInput(request, deps, facts, cluster));
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
        err: { message: (err as Error)?.message, stack: (err as Error)?.stack },
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
  return { status: 200, body: response };
}
