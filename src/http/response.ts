// Building what goes back: the AdmissionReview response for an engine result, and the JSON
// Status body of a request that could not be reviewed at all (400, 413, 415, ...).
import { clip } from '../kube/clip.js';
import type { AdmissionResult } from '../engine/types.js';
import { REVIEW_API_VERSION, REVIEW_KIND } from './review.js';

const MAX_WARNINGS = 20;
const MAX_AUDIT_VALUE = 1000;

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
  status?: { status: 'Failure'; code: number; reason: string; message: string };
  warnings?: string[];
  /** The API server prefixes each key with the webhook's name, so keys carry no prefix here. */
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: typeof REVIEW_API_VERSION;
  kind: typeof REVIEW_KIND;
  response: AdmissionResponse;
}

export const INTERNAL_ERROR_WARNING = 'gracekeeper: internal error, admitted unchanged (see the webhook log)';

function review(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: REVIEW_API_VERSION, kind: REVIEW_KIND, response };
}

/** The response for one engine result: patch only when non-empty, denial as a 400 status. */
export function buildResponse(uid: string, result: AdmissionResult): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid, allowed: result.denial === undefined };
  if (result.denial !== undefined) {
    response.status = { status: 'Failure', code: 400, reason: 'BadRequest', message: result.denial };
  } else if (result.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(result.patch), 'utf8').toString('base64');
    const changes = result.changes.join(',');
    response.auditAnnotations = {
      changes: changes.length > MAX_AUDIT_VALUE ? `${changes.slice(0, MAX_AUDIT_VALUE - 3)}...` : changes,
    };
  }
  if (result.warnings.length > 0) response.warnings = result.warnings.slice(0, MAX_WARNINGS).map((w) => clip(w));
  return review(response);
}

/** An unexpected error inside gracekeeper: admit unchanged, tell the client why nothing happened. */
export function internalErrorResponse(uid: string): AdmissionReviewResponse {
  return review({ uid, allowed: true, warnings: [INTERNAL_ERROR_WARNING] });
}

export interface StatusBody {
  apiVersion: 'v1';
  kind: 'Status';
  status: 'Failure';
  code: number;
  reason: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'Timeout',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  500: 'InternalError',
};

/** A metav1.Status-shaped JSON body for a request that is not a reviewable AdmissionReview. */
export function statusBody(code: number, message: string): StatusBody {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason: REASONS[code] ?? 'Unknown', message };
}
