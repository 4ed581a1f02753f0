// A review built to make the JSON parser work: a Pod whose tolerations are `n` empty objects (an
// API server could send it: Toleration's fields are all omitempty). 2.4 million of them: 7.2 MB.
import { pod } from './fixtures.js';
import { review } from './helpers.js';

/** A Pod review whose object holds `n` empty objects (tolerations: an API server could send it). */
export function heavyReview(n: number): string {
  const p = pod();
  const text = JSON.stringify(review({ ...p, spec: { ...p.spec, tolerations: ['HOLE'] } }));
  return text.replace('"HOLE"', `${'{},'.repeat(n - 1)}{}`);
}
