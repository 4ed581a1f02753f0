// The edge's memory budget for admission reviews in flight (read, parsed, answered). Each review
// holds a reservation: its declared length when its headers arrive (the bytes read so far for a
// chunked body), then, once read, an estimate of what it costs parsed (countContainers, below). A
// review that would take the total past the budget is refused at once (429, try again) unless
// nothing else large is in flight: any single review the API server can send is always taken.
// Small reviews (nearly every real one) have their own lane, so a burst of large ones never stalls
// them. Figures and their measurement: docs/failure-modes.md.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * What parsing a JSON body will cost, found before parsing it: the number of objects and arrays
 * (each becomes a V8 object of about 70 bytes: 2.4 million `{}` in a 7 MiB review took 161 MB of
 * heap and seconds of blocked event loop). Brackets inside strings are not counted (a
 * last-applied-configuration annotation holds the whole object as a string). One pass over the
 * bytes: the count, or stopAbove + 1 once there are more than that.
 */
export function countContainers(body: Uint8Array, stopAbove = Infinity): number {
  let count = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i];
    if (c === QUOTE) {
      // Skip the string: to the next quote not escaped.
      for (i++; i < n; i++) {
        const s = body[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      count++;
      if (count > stopAbove) return count;
    }
  }
  return count;
}

/** The estimate of what a review costs in memory while it is handled. */
export function reviewCost(bytes: number, containers: number): number {
  // The body's Buffer, its string, and each object or array about 70 bytes parsed; the engine's
  // copy of the object doubles the parsed part.
  return 2 * bytes + containers * 140;
}

export interface BudgetLimits {
  /** The large lane: reviews in flight together may cost this much (bytes). */
  largeBytes: number;
  /** A review costing at most this is small: it goes in the small lane. */
  smallReview: number;
  /** The small lane's total. */
  smallBytes: number;
}

/** 96 MiB of large reviews, 32 MiB of small ones: under the Deployment's 384 Mi with its ~100 MiB base. */
export const DEFAULT_BUDGET: BudgetLimits = {
  largeBytes: 96 * 1024 * 1024,
  smallReview: 256 * 1024,
  smallBytes: 32 * 1024 * 1024,
};

export class Reservation {
  private released = false;
  constructor(
    private readonly budget: Budget,
    public bytes: number,
    public large: boolean,
  ) {}

  /** Grows (or shrinks) the reservation to `bytes`; false, holding what it held, when that does not fit. */
  resize(bytes: number): boolean {
    if (this.released) return false;
    return this.budget.resize(this, bytes);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.free(this);
  }
}

export class Budget {
  private large = 0;
  private largeCount = 0;
  private small = 0;
  /** Refusals since start (the metrics read it). */
  refused = 0;

  constructor(readonly limits: BudgetLimits = DEFAULT_BUDGET) {}

  /** A reservation of `bytes`, or undefined (refused) when it does not fit. */
  reserve(bytes: number): Reservation | undefined {
    const r = new Reservation(this, 0, false);
    return this.resize(r, bytes) ? r : undefined;
  }

  /** @internal */
  resize(r: Reservation, bytes: number): boolean {
    const { largeBytes, smallReview, smallBytes } = this.limits;
    this.take(r);
    let fits: boolean;
    const large = bytes > smallReview;
    if (large) fits = this.largeCount === 0 || this.large + bytes <= largeBytes;
    else fits = this.small + bytes <= smallBytes;
    if (fits) {
      r.bytes = bytes;
      r.large = large;
    } else this.refused++;
    this.put(r);
    return fits;
  }

  /** @internal */
  free(r: Reservation): void {
    this.take(r);
  }

  inFlight(): { large: number; small: number } {
    return { large: this.large, small: this.small };
  }

  private take(r: Reservation): void {
    if (r.bytes === 0) return;
    if (r.large) {
      this.large -= r.bytes;
      this.largeCount--;
    } else this.small -= r.bytes;
  }

  private put(r: Reservation): void {
    if (r.bytes === 0) return;
    if (r.large) {
      this.large += r.bytes;
      this.largeCount++;
    } else this.small += r.bytes;
  }
}
