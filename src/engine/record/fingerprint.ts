// Stable fingerprints of what gracekeeper wrote, so a later pass knows a value is still its own.
import * as crypto from 'node:crypto';
import { copyOf } from '../copy.js';
import type { Handler, Probe } from '../../kube/pod-types.js';

/**
 * JSON with object keys sorted, so equal values always give equal text. The text is stored (as
 * fingerprints in records on objects in clusters), so it must never change: string building
 * instead of map/join, with join's rendering of undefined array items as nothing.
 */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item = stableStringify(value[i]) as string | undefined;
      if (item !== undefined) out += item;
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Sorted in place (Object.keys gives a fresh array); keys holding undefined are left out.
    const keys = Object.keys(record).sort();
    let out = '{';
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = record[key];
      if (item === undefined) continue;
      out += `${first ? '' : ','}${quote(key)}:${stableStringify(item)}`;
      first = false;
    }
    return `${out}}`;
  }
  return typeof value === 'string' ? quote(value) : JSON.stringify(value);
}

/**
 * JSON.stringify of a string: the string in quotes as it is when no character needs escaping
 * (nearly every key and value in a pod spec), else JSON.stringify's own rendering.
 */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Control characters, '"', '\\', and surrogates (a lone one is escaped) go through JSON.stringify.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/**
 * Fingerprints already taken in one admission, by object. Strip, inject and the change list look
 * at the same handler and probe objects, which nothing edits in place (they are replaced), so one
 * hash each is enough. Never kept across admissions.
 */
export type FingerprintMemo = Map<object, string>;

/**
 * A probe as the API server stores it: the defaults it fills in are made explicit and zero-valued
 * fields it omits are dropped, so a probe compares equal before and after a round trip.
 */
export function normaliseProbe(probe: Probe): Probe {
  const out = copyOf(probe);
  out.timeoutSeconds ??= 1;
  out.periodSeconds ??= 10;
  out.successThreshold ??= 1;
  out.failureThreshold ??= 3;
  if (out.initialDelaySeconds === 0) delete out.initialDelaySeconds;
  if (out.httpGet) out.httpGet = { path: '/', scheme: 'HTTP', ...out.httpGet };
  if (out.grpc) out.grpc = { service: '', ...out.grpc };
  return out;
}

/** SHA-256 in hex; the one-shot crypto.hash (Node.js 20.12+) costs a fraction of a Hash object. */
const sha256: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) =>
        (crypto as unknown as { hash: (algorithm: string, data: string, encoding: 'hex') => string }).hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** Fingerprints of canonical texts already seen: the same few handlers and probes recur in every admission. */
const byText = new Map<string, string>();
const MAX_TEXTS = 1024;

function fingerprintOfText(text: string): string {
  let print = byText.get(text);
  if (print === undefined) {
    if (byText.size >= MAX_TEXTS) byText.clear();
    print = sha256(text).slice(0, 12);
    byText.set(text, print);
  }
  return print;
}

export function fingerprint(value: Handler | Probe, memo?: FingerprintMemo): string {
  const known = memo?.get(value);
  if (known !== undefined) return known;
  const print = fingerprintOfText(stableStringify(value));
  memo?.set(value, print);
  return print;
}

/** The fingerprint of a string gracekeeper wrote (a stop signal, an annotation's value): of its JSON text. */
export function textFingerprint(text: string): string {
  return fingerprintOfText(JSON.stringify(text));
}

export function probeFingerprint(probe: Probe, memo?: FingerprintMemo): string {
  const known = memo?.get(probe);
  if (known !== undefined) return known;
  const print = fingerprint(normaliseProbe(probe));
  memo?.set(probe, print);
  return print;
}
