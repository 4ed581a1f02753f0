// Reading numbers out of load balancers' own annotations, which belong to someone else: a value
// gracekeeper cannot read is warned about (naming the object and the default used), never a denial.
import { clip } from '../kube/clip.js';
import type { PathWarning } from './types.js';

/** Whole seconds (or a count) in an annotation, within [min, max]; `fallback` when absent or bad. */
export function annotationNumber(
  annotations: Record<string, string>,
  key: string,
  fallback: number,
  object: string,
  warnings: PathWarning[],
  range: [number, number] = [0, 3600],
): number {
  const raw = annotations[key];
  if (raw === undefined) return fallback;
  const value = raw.trim();
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= range[0] && n <= range[1]) return n;
  warnings.push({
    object,
    text: clip(`${object}: ${key}=${JSON.stringify(value.slice(0, 20))} is not ${range[0]}-${range[1]}; using ${fallback}`),
  });
  return fallback;
}

/** A "k1=v1,k2=v2" annotation (AWS's target-group-attributes) as a map; bad entries are skipped. */
export function stringMap(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const part of raw.slice(0, 4096).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A number inside a "k=v,..." annotation, with the same warning as annotationNumber. */
export function mapNumber(
  annotations: Record<string, string>,
  key: string,
  entry: string,
  fallback: number,
  object: string,
  warnings: PathWarning[],
  range: [number, number] = [0, 3600],
): number {
  const raw = stringMap(annotations[key])[entry];
  if (raw === undefined) return fallback;
  // Named by the entry alone: the annotation's key would leave no room for the rest of the line.
  return annotationNumber({ [entry]: raw }, entry, fallback, object, warnings, range);
}
