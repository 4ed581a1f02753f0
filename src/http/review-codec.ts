// The AdmissionReview codec (admission.k8s.io/v1). Decoding: a request body into an
// AdmissionRequest, or why it is not a well-formed AdmissionReview (only the fields gracekeeper
// reads are checked). Encoding: the response for an engine result, the response of an internal
// error, and the JSON Status body of a request that could not be reviewed at all (400, 413, ...).
import { clip } from '../kube/clip.js';
import { isRecord } from '../kube/pod-types.js';
import { fail, ok, type Result } from '../kube/result.js';
import type { AdmissionOperation, AdmissionResult, GroupVersionKind } from '../engine/types.js';

export const REVIEW_API_VERSION = 'admission.k8s.io/v1';
export const REVIEW_KIND = 'AdmissionReview';

export interface AdmissionRequest {
  uid: string;
  /** request.kind: the kind the object was converted to for this webhook. */
  kind: GroupVersionKind;
  operation: AdmissionOperation;
  subResource?: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  /** request.name, else the object's metadata.name or generateName: for logs, and whose outcomes. */
  name: string;
  /** null for DELETE; an object for CREATE and UPDATE. */
  object: unknown;
  dryRun: boolean;
}

/** A body decoded, or the message of its 400; `reason` when it is JSON but not an AdmissionReview. */
export type DecodedBody = Result<AdmissionRequest, { message: string; reason?: string }>;

const OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
/** Kubernetes UIDs are 36 characters; anything much longer is not from an API server. */
const MAX_UID_LENGTH = 128;
const MAX_NAME_LENGTH = 253;

type Json = Record<string, unknown>;

/** A short rendering of a scalar for a reason message (never a whole object). */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isRecord(value)) return 'an object';
  if (Array.isArray(value)) return 'an array';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function optionalString(value: unknown, field: string): string | { error: string } {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return { error: `${field}: expected a string, got ${show(value)}` };
  return value;
}

function decodeGvk(value: unknown): GroupVersionKind | undefined {
  if (!isRecord(value)) return undefined;
  const { group, version, kind } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string' || kind === '') return undefined;
  return { group, version, kind };
}

function nameOf(request: Json, object: unknown): string {
  let name = typeof request.name === 'string' ? request.name : '';
  if (name === '' && isRecord(object) && isRecord(object.metadata)) {
    const meta = object.metadata;
    if (typeof meta.name === 'string') name = meta.name;
    else if (typeof meta.generateName === 'string') name = `${meta.generateName}*`;
  }
  return name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
}

/** A parsed body into an AdmissionRequest, or the one reason it is not a well-formed AdmissionReview. */
function decodeReview(body: unknown): Result<AdmissionRequest> {
  if (!isRecord(body)) return fail(`expected an AdmissionReview object, got ${show(body)}`);
  if (body.apiVersion !== REVIEW_API_VERSION) {
    return fail(`apiVersion: expected "${REVIEW_API_VERSION}", got ${show(body.apiVersion)}`);
  }
  if (body.kind !== REVIEW_KIND) return fail(`kind: expected "${REVIEW_KIND}", got ${show(body.kind)}`);
  const request = body.request;
  if (!isRecord(request)) return fail(`request: expected an object, got ${show(request)}`);
  const uid = request.uid;
  if (typeof uid !== 'string' || uid.trim() === '') return fail(`request.uid: expected a non-empty string, got ${show(uid)}`);
  if (uid.length > MAX_UID_LENGTH) return fail(`request.uid: longer than ${MAX_UID_LENGTH} characters`);
  const kind = decodeGvk(request.kind);
  if (!kind) return fail('request.kind: expected {group, version, kind} strings');
  if ([kind.group, kind.version, kind.kind].some((part) => part.length > MAX_NAME_LENGTH)) {
    return fail(`request.kind: a part longer than ${MAX_NAME_LENGTH} characters`);
  }
  const operation = request.operation;
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
    return fail(`request.operation: expected one of ${OPERATIONS.join(', ')}, got ${show(operation)}`);
  }
  const op = operation as AdmissionOperation;
  const namespace = optionalString(request.namespace, 'request.namespace');
  if (typeof namespace !== 'string') return fail(namespace.error);
  const subResource = optionalString(request.subResource, 'request.subResource');
  if (typeof subResource !== 'string') return fail(subResource.error);
  // They go into the log line: no longer than any name the API server sends.
  if (namespace.length > MAX_NAME_LENGTH) return fail(`request.namespace: longer than ${MAX_NAME_LENGTH} characters`);
  if (subResource.length > MAX_NAME_LENGTH) return fail(`request.subResource: longer than ${MAX_NAME_LENGTH} characters`);
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== 'boolean') {
    return fail(`request.dryRun: expected a boolean, got ${show(request.dryRun)}`);
  }
  const object = request.object;
  if ((op === 'CREATE' || op === 'UPDATE') && !isRecord(object)) {
    return fail(`request.object: expected an object for ${op}, got ${show(object)}`);
  }
  return ok({
    uid,
    kind,
    operation: op,
    namespace,
    object: object ?? null,
    dryRun: request.dryRun === true,
    name: nameOf(request, object),
    ...(subResource === '' ? {} : { subResource }),
  });
}

/** A request body (UTF-8 JSON) into an AdmissionRequest, or the message of the 400 that refuses it. */
export function decodeBody(body: Buffer): DecodedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return fail({ message: `the body is not valid JSON: ${String((err as Error).message).slice(0, 200)}` });
  }
  const decoded = decodeReview(parsed);
  if (decoded.ok) return decoded;
  return fail({ message: `not a valid AdmissionReview: ${decoded.error}`, reason: decoded.error });
}

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
