// The table of validators: one entry a key, with its parser, range and the accepted form.
import { parseDuration } from './duration.js';
import type { InjectionSettings } from './types.js';

export const PREFIX = 'gracekeeper.io/';
export const RECORD_KEY = `${PREFIX}injected`;
export const INJECT_KEY = `${PREFIX}inject`;

type Field = keyof InjectionSettings;

export interface KeyValidator<F extends Field = Field> {
  /** Annotation name without the prefix, e.g. "pre-stop-sleep". */
  name: string;
  field: F;
  /** Human text of what is accepted, used in every error message. */
  accepted: string;
  parse(raw: string): InjectionSettings[F] | undefined;
}

function entry<F extends Field>(v: KeyValidator<F>): KeyValidator<F> {
  return v;
}

function duration(min: number, max: number) {
  return (raw: string): number | undefined => {
    const seconds = parseDuration(raw);
    return seconds !== undefined && seconds >= min && seconds <= max ? seconds : undefined;
  };
}

function oneOf<T extends string>(values: readonly T[], normalise: (s: string) => string = (s) => s) {
  return (raw: string): T | undefined => {
    const value = normalise(raw.trim());
    return (values as readonly string[]).includes(value) ? (value as T) : undefined;
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^(?=.{1,15}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function containerList(raw: string): string[] | undefined {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return undefined;
  if (!names.every((n) => n.length <= 63 && DNS_LABEL.test(n))) return undefined;
  return [...new Set(names)];
}

function port(raw: string): number | string | undefined {
  const value = raw.trim();
  if (/^\d+$/.test(value)) {
    const n = Number.parseInt(value, 10);
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  return PORT_NAME.test(value) && /[a-z]/.test(value) ? value : undefined;
}

function urlPath(raw: string): string | undefined {
  const value = raw.trim();
  // eslint-disable-next-line no-control-regex -- a path must not hold control characters
  return value.startsWith('/') && value.length <= 2048 && !/[\s\u0000-\u001f]/.test(value) ? value : undefined;
}

function integer(min: number, max: number) {
  return (raw: string): number | undefined => {
    const value = raw.trim();
    if (!/^\d{1,9}$/.test(value)) return undefined;
    const n = Number.parseInt(value, 10);
    return n >= min && n <= max ? n : undefined;
  };
}

const DURATION_FORM = 'whole seconds (7, 7s, 2m, 1m30s)';

export const VALIDATORS: readonly KeyValidator[] = [
  entry({
    name: 'inject',
    field: 'inject',
    accepted: '"true" or "false"',
    parse: (raw) => (raw.trim() === 'true' ? true : raw.trim() === 'false' ? false : undefined),
  }),
  entry({ name: 'pre-stop-sleep', field: 'preStopSleep', accepted: `${DURATION_FORM}, 0s to 1h`, parse: duration(0, 3600) }),
  entry({
    name: 'pre-stop-mode',
    field: 'preStopMode',
    accepted: 'auto, sleep, exec or none',
    parse: oneOf(['auto', 'sleep', 'exec', 'none'] as const, (s) => s.toLowerCase()),
  }),
  entry({ name: 'drain-timeout', field: 'drainTimeout', accepted: `${DURATION_FORM}, 0s to 1h`, parse: duration(0, 3600) }),
  entry({
    name: 'termination-grace-period',
    field: 'terminationGracePeriod',
    accepted: `${DURATION_FORM}, 1s to 2h, greater than pre-stop-sleep`,
    parse: duration(1, 7200),
  }),
  entry({ name: 'containers', field: 'containers', accepted: 'comma-separated container names', parse: containerList }),
  entry({
    name: 'readiness',
    field: 'readiness',
    accepted: 'auto, http, tcp, grpc or none',
    parse: oneOf(['auto', 'http', 'tcp', 'grpc', 'none'] as const, (s) => s.toLowerCase()),
  }),
  entry({ name: 'readiness-path', field: 'readinessPath', accepted: 'an absolute path like /healthz', parse: urlPath }),
  entry({ name: 'readiness-port', field: 'readinessPort', accepted: 'a port 1-65535 or a declared port name', parse: port }),
  entry({
    name: 'readiness-scheme',
    field: 'readinessScheme',
    accepted: 'HTTP or HTTPS',
    parse: oneOf(['HTTP', 'HTTPS'] as const, (s) => s.toUpperCase()),
  }),
  entry({ name: 'readiness-period', field: 'readinessPeriod', accepted: `${DURATION_FORM}, 1s to 1h`, parse: duration(1, 3600) }),
  entry({
    name: 'readiness-failure-threshold',
    field: 'readinessFailureThreshold',
    accepted: 'an integer from 1 to 100',
    parse: integer(1, 100),
  }),
  entry({
    name: 'readiness-initial-delay',
    field: 'readinessInitialDelay',
    accepted: `${DURATION_FORM}, 0s to 1h`,
    parse: duration(0, 3600),
  }),
  entry({ name: 'startup-timeout', field: 'startupTimeout', accepted: `${DURATION_FORM}, 1s to 24h`, parse: duration(1, 86400) }),
  entry({
    name: 'min-ready-seconds',
    field: 'minReadySeconds',
    accepted: `${DURATION_FORM}, 0s to 24h`,
    parse: duration(0, 86400),
  }),
];

export const VALIDATOR_BY_NAME: ReadonlyMap<string, KeyValidator> = new Map(VALIDATORS.map((v) => [v.name, v]));

/** Every key name a user may write under the prefix (the record is known but not a setting). */
export const KNOWN_NAMES: readonly string[] = [...VALIDATORS.map((v) => v.name), 'injected'];
