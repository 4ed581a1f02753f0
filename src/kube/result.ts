// One shape for "a value, or why there is none", across every layer: `ok` says which, then `value`
// or `error` (a message by default; a list of them, or a skip with its warnings, where that is
// what the caller reports). Narrow on `ok` before reading either.

export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail<E>(error: E): Result<never, E> {
  return { ok: false, error };
}
