// Stable fingerprints of what gracekeeper wrote, so a later pass knows a value is still its own.
import { createHash } from 'node:crypto';
import type { Handler, Probe } from './pod-types.js';

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A probe as the API server stores it: the defaults it fills in are made explicit and zero-valued
 * fields it omits are dropped, so a probe compares equal before and after a round trip.
 */
export function normaliseProbe(probe: Probe): Probe {
  const out: Probe = { ...probe };
  out.timeoutSeconds ??= 1;
  out.periodSeconds ??= 10;
  out.successThreshold ??= 1;
  out.failureThreshold ??= 3;
  if (out.initialDelaySeconds === 0) delete out.initialDelaySeconds;
  if (out.httpGet) out.httpGet = { path: '/', scheme: 'HTTP', ...out.httpGet };
  if (out.grpc) out.grpc = { service: '', ...out.grpc };
  return out;
}

export function fingerprint(value: Handler | Probe): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 12);
}

export function probeFingerprint(probe: Probe): string {
  return fingerprint(normaliseProbe(probe));
}
