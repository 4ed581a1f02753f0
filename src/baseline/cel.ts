// CEL fragments the baseline policy is built from: one annotation read through the layers the
// webhook reads (pod template, then workload, then Namespace, then the cluster default), and the
// whole-seconds durations the annotations take ("7", "7s", "2m", "1m30s", "1h").

/** A CEL string literal (single-quoted; the values come from a validated settings file). */
export function str(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list of string literals. */
export function strList(items: readonly string[]): string {
  return `[${items.map(str).join(', ')}]`;
}

/**
 * The value of `gracekeeper.io/<name>`, lowest precedence last: the pod template's (a Pod's own),
 * the workload's, the Namespace's, else `fallback` (CEL source of a string); trimmed and lower-cased like the webhook reads it.
 */
export function layered(name: string, fallback: string): string {
  const key = str(`gracekeeper.io/${name}`);
  return (
    `variables.tAnn[?${key}].orValue(variables.wAnn[?${key}].orValue(` +
    `variables.nsAnn[?${key}].orValue(${fallback}))).trim().lowerAscii()`
  );
}

/**
 * Whole seconds from a duration text `x` (a CEL expression of type string), or -1 when it is not
 * one: the same forms the webhook accepts (src/settings/duration.ts). Bounds are the caller's.
 */
export function seconds(x: string): string {
  const part = (unit: string, factor: number) =>
    `(${x}.find('[0-9]+${unit}') == '' ? 0 : int(${x}.find('[0-9]+${unit}').replace('${unit}', '')) * ${factor})`;
  return (
    `${x}.matches('^[0-9]{1,9}$') ? int(${x}) : ` +
    `(${x} != '' && ${x}.matches('^([0-9]{1,5}h)?([0-9]{1,5}m)?([0-9]{1,7}s)?$') ? ` +
    `${part('h', 3600)} + ${part('m', 60)} + ${part('s', 1)} : -1)`
  );
}

/** `parsed` (a CEL variable's name holding seconds or -1) when within 0..max, else `fallback`. */
export function bounded(parsed: string, fallback: string, max: string): string {
  return `${parsed} >= 0 && ${parsed} <= ${max} ? ${parsed} : ${fallback}`;
}
