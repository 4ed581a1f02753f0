// Every warning's one rule: a printable single line under 120 characters (the API server drops
// other warnings; kubectl prints them on one line). Annotation values quoted in them may hold
// control characters, which become spaces.

export const MAX_WARNING_CHARS = 119;

export function clip(text: string, max = MAX_WARNING_CHARS): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  const line = /[\u0000-\u001f\u007f]/.test(text) ? text.replace(/[\u0000-\u001f\u007f]+/g, ' ') : text;
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
