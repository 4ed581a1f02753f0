// The baseline's mark: the annotation `gracekeeper.io/baseline` the in-process policy (policy.ts)
// writes beside what it added, in a form its CEL can both write and read back:
//   "preStop=app,web sleep=5 grace=30>35"
// (which containers got the native sleep, its seconds, and the grace period before>after). The
// webhook reads it as an earlier record: what it names is gracekeeper's own to resize or take back.
import { PREFIX } from '../../settings/keys.js';
import { fingerprint } from './fingerprint.js';
import { emptyRecord, noteAdded, type InjectionRecord } from './record.js';

export const BASELINE_KEY = `${PREFIX}baseline`;

export interface BaselineMark {
  /** Containers the baseline gave a preStop sleep. */
  preStop: string[];
  /** The seconds of that sleep. */
  sleep: number;
  /** The grace period before and after the baseline raised it. */
  grace?: { from: number; to: number };
}

/** Marks longer than this are not the baseline's (a DNS-label name list of 300 containers is under 20 KB). */
const MAX_MARK_CHARS = 32 * 1024;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads the mark from annotations; anything malformed is treated as no mark. */
export function readMark(annotations: Record<string, string> | undefined): BaselineMark | undefined {
  const text = annotations?.[BASELINE_KEY];
  if (typeof text !== 'string' || text.length > MAX_MARK_CHARS) return undefined;
  const mark: BaselineMark = { preStop: [], sleep: 0 };
  for (const part of text.trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'preStop') {
      const names = value === '' ? [] : value.split(',');
      if (!names.every((n) => NAME.test(n))) return undefined;
      mark.preStop = names;
    } else if (key === 'sleep') {
      if (!/^\d{1,4}$/.test(value)) return undefined;
      mark.sleep = Number(value);
    } else if (key === 'grace') {
      const m = /^(\d{1,9})>(\d{1,9})$/.exec(value);
      if (!m) return undefined;
      mark.grace = { from: Number(m[1]), to: Number(m[2]) };
    } else return undefined;
  }
  if (mark.preStop.length === 0 && !mark.grace) return undefined;
  return mark;
}

/** The handler the baseline writes for a sleep of `seconds`. */
export function baselineHandler(seconds: number): { sleep: { seconds: number } } {
  return { sleep: { seconds } };
}

/**
 * The mark as a record of an earlier pass, so that strip takes back exactly what the baseline wrote
 * while it is still as written (a handler the user or another webhook changed since is theirs).
 */
export function markAsRecord(mark: BaselineMark): InjectionRecord {
  const record = emptyRecord();
  const print = fingerprint(baselineHandler(mark.sleep));
  for (const name of mark.preStop) noteAdded(record, 'preStop', name, print);
  if (mark.grace) record.terminationGracePeriodSeconds = { from: mark.grace.from, to: mark.grace.to };
  return record;
}

/**
 * The earlier record an admission starts from: gracekeeper's own, else the baseline's mark read as
 * one. The policy writes nothing where gracekeeper's record is, so both are there only when copied
 * by hand; then the record, which the webhook wrote last, wins.
 */
export function earlierWithMark(
  earlier: InjectionRecord | undefined,
  annotations: Record<string, string> | undefined,
): InjectionRecord | undefined {
  if (earlier) return earlier;
  const mark = readMark(annotations);
  return mark ? markAsRecord(mark) : undefined;
}
