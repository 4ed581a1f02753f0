// Suggests the closest known key for a misspelt one ("pre-stop-slep" -> "pre-stop-sleep").

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? Math.max(a.length, b.length);
}

/** The nearest candidate within a distance that still reads as a typo, or undefined. */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
  if (key.length >= 4) {
    const containing = candidates.find((c) => c.startsWith(key) || key.startsWith(c));
    if (containing) return containing;
  }
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = levenshtein(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(3, Math.ceil(key.length / 3));
  return bestDistance <= limit ? best : undefined;
}
