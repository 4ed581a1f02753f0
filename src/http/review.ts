// Decoding: a parsed JSON body into an AdmissionRequest (admission.k8s.io/v1), or the one reason it
// is not a well-formed AdmissionReview. Only the fields gracekeeper reads are checked.
import { isRecord } from '../kube/pod-types.js';
import type { AdmissionOperation, GroupVersionKind } from '../engine/types.js';

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
  /** request.name, else the object's metadata.name or generateName: for logs only. */
  name: string;
  /** null for DELETE; an object for CREATE and UPDATE. */
  object: unknown;
  dryRun: boolean;
}

export type DecodeResult = { ok: true; request: AdmissionRequest } | { ok: false; reason: string };

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

export function decodeReview(body: unknown): DecodeResult {
  const fail = (reason: string): DecodeResult => ({ ok: false, reason });
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
  return {
    ok: true,
    request: {
      uid,
      kind,
      operation: op,
      namespace,
      object: object ?? null,
      dryRun: request.dryRun === true,
      name: nameOf(request, object),
      ...(subResource === '' ? {} : { subResource }),
    },
  };
}
