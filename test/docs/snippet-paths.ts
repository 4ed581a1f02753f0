// The paths a GitOps ignore rule names, as segments comparable with written-fields.ts: Argo CD's
// jq path expressions (`.a.b[]?.c`, `.a["b/c"]`) and JSON Pointers (RFC 6901: `/a/0/b~1c`, as
// Argo CD's jsonPointers and Flux's ignore rules take them). "*" is a jq iteration (`[]`);
// a JSON Pointer can only name an index.

export function jqPath(expr: string): string[] {
  const segments: string[] = [];
  let rest = expr.trim();
  if (!rest.startsWith('.')) throw new Error(`not a jq path: ${expr}`);
  while (rest.length > 0) {
    const m = /^(?:\.([A-Za-z_][\w-]*)|\[\]\??|\["([^"]+)"\]|\[(\d+)\]|\?)/.exec(rest);
    if (!m) throw new Error(`unsupported jq path syntax at "${rest}" in ${expr}`);
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(m[2]);
    else if (m[3] !== undefined) segments.push(m[3]);
    else if (m[0].startsWith('[]')) segments.push('*');
    rest = rest.slice(m[0].length);
  }
  return segments;
}

export function jsonPointer(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** How many list elements a JSON Pointer rule must name for a "*" field: the examples' two. */
export const POINTER_INDEXES = 2;

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/** Whether the named paths cover the field: "*" by a jq iteration, or by indices 0..POINTER_INDEXES-1. */
export function covers(named: readonly (readonly string[])[], field: readonly string[]): boolean {
  if (named.some((p) => same(p, field))) return true;
  const star = field.indexOf('*');
  if (star < 0) return false;
  for (let i = 0; i < POINTER_INDEXES; i++) {
    const indexed = field.map((s, j) => (j === star ? String(i) : s));
    if (!covers(named, indexed)) return false;
  }
  return true;
}
