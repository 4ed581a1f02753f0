// The forms an annotation value may take, each a parser that returns undefined for anything else:
// durations in whole seconds within a range, one of a few words, container names, ports, paths,
// integers. Values come from users' manifests: each parser bounds what it accepts.
import { parseDuration } from './duration.js';

export function duration(min: number, max: number) {
  return (raw: string): number | undefined => {
    const seconds = parseDuration(raw);
    return seconds !== undefined && seconds >= min && seconds <= max ? seconds : undefined;
  };
}

export function oneOf<T extends string>(values: readonly T[], normalise: (s: string) => string = (s) => s) {
  return (raw: string): T | undefined => {
    const value = normalise(raw.trim());
    return (values as readonly string[]).includes(value) ? (value as T) : undefined;
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^(?=.{1,15}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function containerList(raw: string): string[] | undefined {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return undefined;
  if (!names.every((n) => n.length <= 63 && DNS_LABEL.test(n))) return undefined;
  return [...new Set(names)];
}

export function port(raw: string): number | string | undefined {
  const value = raw.trim();
  if (/^\d+$/.test(value)) {
    const n = Number.parseInt(value, 10);
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  return PORT_NAME.test(value) && /[a-z]/.test(value) ? value : undefined;
}

export function urlPath(raw: string): string | undefined {
  const value = raw.trim();
  // eslint-disable-next-line no-control-regex -- a path must not hold control characters
  return value.startsWith('/') && value.length <= 2048 && !/[\s\u0000-\u001f]/.test(value) ? value : undefined;
}

export function integer(min: number, max: number) {
  return (raw: string): number | undefined => {
    const value = raw.trim();
    if (!/^\d{1,9}$/.test(value)) return undefined;
    const n = Number.parseInt(value, 10);
    return n >= min && n <= max ? n : undefined;
  };
}

export function boolean(raw: string): boolean | undefined {
  const value = raw.trim();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** `auto`, or what `parse` accepts. */
export function autoOr<T>(parse: (raw: string) => T | undefined) {
  return (raw: string): T | 'auto' | undefined => (raw.trim().toLowerCase() === 'auto' ? 'auto' : parse(raw));
}
