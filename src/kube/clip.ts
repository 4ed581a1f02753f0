// Every warning's one rule: a printable single line under 120 characters (the API server drops
// other warnings; kubectl prints them on one line). Annotation values quoted in them may hold
// control characters, which become spaces. A line too long first has its long names (quoted, or
// Kind/name) shortened (a name's start says which object; the last clause says what to do), then
// loses whole clauses, never part of a word: first those in the middle (the first says what
// happened, the last what to do), then from the end; a first clause too long alone is cut at a
// space (a long quoted value, where it must).

export const MAX_WARNING_CHARS = 119;

/** Where a warning's clauses end: "; ", ", " and " — " (the separator stays with the clause before it). */
const CLAUSE_END = /(?<=; |, | — )/;
const GAP = '…';

export function clip(text: string, max = MAX_WARNING_CHARS): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  const line = /[\u0000-\u001f\u007f]/.test(text) ? text.replace(/[\u0000-\u001f\u007f]+/g, ' ') : text;
  if (line.length <= max) return line;
  const shortened = shortenQuoted(line, max);
  if (shortened.length <= max) return shortened;
  const clauses = shortened.split(CLAUSE_END);
  const last = clauses.length > 1 ? (clauses[clauses.length - 1] as string) : undefined;
  // The first clauses and the last, with a gap for those left out.
  if (last !== undefined) {
    let head = '';
    for (const clause of clauses.slice(0, -1)) {
      if ((head + clause + GAP + ' ' + last).length > max) break;
      head += clause;
    }
    if (head !== '') return `${head}${GAP} ${last}`;
  }
  // The first clauses alone.
  let head = '';
  for (const clause of clauses) {
    if ((head + clause).trimEnd().length + GAP.length > max) break;
    head += clause;
  }
  if (head !== '') return `${head.trimEnd().replace(/[;,—]$/, '')}${GAP}`;
  return `${cutAtSpace(clauses[0] as string, max - GAP.length)}${GAP}`;
}

/** A name (quoted, or Kind/name) is shortened to no fewer than this many characters, its start kept. */
const MIN_NAME = 12;

/** A quoted value, or an object named as Kind/name (Service/web): the names a warning may shorten. */
const NAMED = /("[^"]*"|\b[A-Z][A-Za-z]*\/[a-z0-9][-a-z0-9.]*)/;

/** The line with its names (quoted values, Kind/name) over MIN_NAME shortened, longest first, until it fits. */
function shortenQuoted(line: string, max: number): string {
  const parts = line.split(NAMED);
  let excess = line.length - max;
  // Each name as [what stays before it, the name, what stays after it].
  const names = parts
    .map((part, i) => {
      if (i % 2 === 0) return undefined;
      const quoted = part.startsWith('"');
      const start = quoted ? 1 : part.indexOf('/') + 1;
      return { i, before: part.slice(0, start), name: part.slice(start, quoted ? -1 : undefined), after: quoted ? '"' : '' };
    })
    .filter((n): n is NonNullable<typeof n> => n !== undefined && n.name.length > MIN_NAME)
    .sort((a, b) => b.name.length - a.name.length);
  for (const { i, before, name, after } of names) {
    if (excess <= 0) break;
    const keep = Math.max(MIN_NAME, name.length - excess - GAP.length);
    if (keep >= name.length) continue;
    parts[i] = `${before}${name.slice(0, keep)}${GAP}${after}`;
    excess -= name.length - keep - GAP.length;
  }
  return parts.join('');
}

/**
 * The longest start of `text` up to `max` characters that ends at a space. A token filling more
 * than half the line is a quoted value, not a word: it is cut where the line ends.
 */
function cutAtSpace(text: string, max: number): string {
  const cut = text.slice(0, max + 1).lastIndexOf(' ');
  return (cut >= max / 2 ? text.slice(0, cut) : text.slice(0, max)).trimEnd();
}
