// The parsers of the cluster settings' values, one per form (a word of a list, names, seconds in a
// range, a flag, the annotation defaults, the trafficPaths rules): each returns the value, or
// undefined after pushing one error naming the key, the value and what is accepted.
import { parseDuration } from './duration.js';
import { PREFIX } from './keys.js';
import { describeError, describeUnknown, resolveSettings } from './resolve.js';
import type { TrafficRule } from './traffic-rules.js';
import { DEFAULT_SETTINGS, type InjectionSettings } from './types.js';

/** A short rendering of a value for an error message (a long one is cut). */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function word<T extends string>(key: string, allowed: readonly T[]) {
  return (value: unknown, errors: string[]): T | undefined => {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    errors.push(`${key}=${shown(value)}: expected one of ${allowed.join(', ')}`);
    return undefined;
  };
}

export function names(key: string) {
  return (value: unknown, errors: string[]): readonly string[] | undefined => {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return Object.freeze([...value]);
    errors.push(`${key}: expected a list of names, got ${shown(value)}`);
    return undefined;
  };
}

export function seconds(key: string, min: number, max: number, range: string) {
  return (value: unknown, errors: string[]): number | undefined => {
    const parsed = typeof value === 'string' || typeof value === 'number' ? parseDuration(String(value)) : undefined;
    if (parsed !== undefined && parsed >= min && parsed <= max) return parsed;
    errors.push(`${key}=${shown(value)}: expected a duration from ${range}`);
    return undefined;
  };
}

export function flag(key: string) {
  return (value: unknown, errors: string[]): boolean | undefined => {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    errors.push(`${key}=${shown(value)}: expected true or false`);
    return undefined;
  };
}

export function parseDefaults(value: unknown, errors: string[]): Readonly<InjectionSettings> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push('defaults: expected a mapping of annotation keys (without the gracekeeper.io/ prefix) to values');
    return undefined;
  }
  const annotations: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    annotations[key.startsWith(PREFIX) ? key : `${PREFIX}${key}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const resolved = resolveSettings(DEFAULT_SETTINGS, [{ source: 'cluster', annotations }]);
  for (const e of resolved.errors) errors.push(`defaults: ${describeError(e)}`);
  for (const u of resolved.unknown) errors.push(`defaults: ${describeUnknown(u)}`);
  return Object.freeze(resolved.settings);
}

const RULE_KEYS = ['ingressClassName', 'serviceType', 'gatewayClassName', 'annotation'] as const;
const MAX_RULES = 100;

/** `trafficPaths`: a list of {match: {one or more of RULE_KEYS}, delay}; every bad entry named. */
export function parseTrafficPaths(value: unknown, errors: string[]): readonly TrafficRule[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_RULES) {
    errors.push(`trafficPaths: expected a list of at most ${MAX_RULES} {match: {...}, delay} rules, got ${shown(value)}`);
    return undefined;
  }
  const rules: TrafficRule[] = [];
  const before = errors.length;
  value.forEach((entry: unknown, i) => {
    const at = `trafficPaths[${i}]`;
    const rule = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const match = (typeof rule.match === 'object' && rule.match !== null ? rule.match : undefined) as
      Record<string, unknown> | undefined;
    const keys = match ? Object.keys(match) : [];
    if (!match || keys.length === 0 || keys.some((k) => !(RULE_KEYS as readonly string[]).includes(k))) {
      errors.push(`${at}.match: expected one or more of ${RULE_KEYS.join(', ')}, got ${shown(rule.match)}`);
      return;
    }
    if (keys.some((k) => typeof match[k] !== 'string' || match[k] === '')) {
      errors.push(`${at}.match: every value must be a non-empty string, got ${shown(match)}`);
      return;
    }
    const delay = seconds(`${at}.delay`, 0, 3600, '0s to 1h')(rule.delay, errors);
    if (delay === undefined) return;
    const m = match as Record<string, string>;
    const annotation = m.annotation?.split('=');
    rules.push({
      match: {
        ...(m.ingressClassName ? { ingressClassName: m.ingressClassName } : {}),
        ...(m.serviceType ? { serviceType: m.serviceType } : {}),
        ...(m.gatewayClassName ? { gatewayClassName: m.gatewayClassName } : {}),
        ...(annotation
          ? {
              annotation: {
                key: annotation[0] as string,
                ...(annotation.length > 1 ? { value: annotation.slice(1).join('=') } : {}),
              },
            }
          : {}),
      },
      delay,
    });
  });
  return errors.length > before ? undefined : Object.freeze(rules);
}
