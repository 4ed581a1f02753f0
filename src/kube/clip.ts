// Every warning's one rule: a printable single line under 120 characters (the API server drops
// other warnings; kubectl prints them on one line). Annotation values quoted in them may hold
// control characters, which become spaces. A line too long loses whole clauses, never part of a
// word: first those in the middle (the first says what happened, the last what to do about it),
// then from the end; a first clause too long alone is cut at a space (a long quoted value, where
// it must).

export const MAX_WARNING_CHARS = 119;

/** Where a warning's clauses end: "; ", ", " and " — " (the separator stays with the clause before it). */
const CLAUSE_END = /(?<=; |, | — )/;
const GAP = '…';

export function clip(text: string, max = MAX_WARNING_CHARS): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  const line = /[\u0000-\u001f\u007f]/.test(text) ? text.replace(/[\u0000-\u001f\u007f]+/g, ' ') : text;
  if (line.length <= max) return line;
  const clauses = line.split(CLAUSE_END);
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

/**
 * The longest start of `text` up to `max` characters that ends at a space. A token filling more
 * than half the line is a quoted value, not a word: it is cut where the line ends.
 */
function cutAtSpace(text: string, max: number): string {
  const cut = text.slice(0, max + 1).lastIndexOf(' ');
  return (cut >= max / 2 ? text.slice(0, cut) : text.slice(0, max)).trimEnd();
}
