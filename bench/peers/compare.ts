// Where two webhooks' outputs differ: both objects as the API server returned them from the same
// dry-run create, fields the server fills per request (uid, timestamps) taken out, then every
// path whose value differs, with both values.

export interface Difference {
  path: string;
  /** JSON of each side's value at the path; undefined where the path is absent. */
  a?: string;
  b?: string;
}

const PER_REQUEST = ['uid', 'creationTimestamp', 'resourceVersion', 'generation', 'managedFields'];

/** The ServiceAccount admission plugin names the token volume with a random suffix per request. */
const TOKEN_VOLUME = /^kube-api-access-[a-z0-9]+$/;

/** A copy without the fields that differ between any two creates. */
export function normalise(object: unknown): unknown {
  const text = JSON.stringify(object, (_key, value: unknown) =>
    typeof value === 'string' && TOKEN_VOLUME.test(value) ? 'kube-api-access-(random)' : value,
  );
  const copy = JSON.parse(text) as { metadata?: Record<string, unknown> };
  for (const k of PER_REQUEST) delete copy.metadata?.[k];
  return copy;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** Containers (and other lists of named items) are compared by name, not by position. */
function keyed(list: unknown[]): Map<string, unknown> | undefined {
  const names = list.map((x) => (isObject(x) && typeof x.name === 'string' ? x.name : undefined));
  if (names.some((n) => n === undefined) || new Set(names).size !== names.length) return undefined;
  return new Map(list.map((x, i) => [names[i] as string, x]));
}

export function diff(a: unknown, b: unknown, path = ''): Difference[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diff(a[k], b[k], `${path}.${k}`));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = keyed(a);
    const kb = keyed(b);
    if (ka && kb) {
      const names = [...new Set([...ka.keys(), ...kb.keys()])];
      return names.flatMap((n) => diff(ka.get(n), kb.get(n), `${path}[${n}]`));
    }
    if (a.length === b.length) return a.flatMap((x, i) => diff(x, b[i], `${path}[${i}]`));
  }
  return [{ path: path || '.', a: show(a), b: show(b) }];
}
