/**
 * A set of integers kept as sorted, disjoint, non-adjacent closed intervals.
 * Lookups are binary searches: O(log n) in the number of intervals, however
 * many addresses they cover (a /64 fully taken is one interval).
 *
 * Hand-written: no maintained interval-set library supports bigint bounds.
 */
export class IntervalSet {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];

  /** Builds a set from values sorted ascending (duplicates allowed). */
  static fromSorted(values: Iterable<bigint>): IntervalSet {
    const set = new IntervalSet();
    for (const v of values) {
      const last = set.ends.length - 1;
      if (last >= 0 && v <= set.ends[last] + 1n) {
        if (v > set.ends[last]) set.ends[last] = v;
      } else {
        set.starts.push(v);
        set.ends.push(v);
      }
    }
    return set;
  }

  /** Builds a set from sorted, disjoint, non-adjacent intervals, as given. */
  static fromSortedIntervals(intervals: [bigint, bigint][]): IntervalSet {
    const set = new IntervalSet();
    for (const [start, end] of intervals) {
      set.starts.push(start);
      set.ends.push(end);
    }
    return set;
  }

  /** Number of intervals (not of values). */
  get intervalCount(): number {
    return this.starts.length;
  }

  /** Index of the last interval starting at or below v, or -1. */
  private floorIndex(v: bigint): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= v) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The intervals in ascending order. */
  *intervals(): Generator<[bigint, bigint]> {
    for (let i = 0; i < this.starts.length; i++) {
      yield [this.starts[i], this.ends[i]];
    }
  }

  has(v: bigint): boolean {
    const i = this.floorIndex(v);
    return i >= 0 && v <= this.ends[i];
  }

  /**
   * The smallest value ≥ v not in the set. Intervals never touch, so the value
   * after the interval holding v is always free.
   */
  nextFree(v: bigint): bigint {
    const i = this.floorIndex(v);
    return i >= 0 && v <= this.ends[i] ? this.ends[i] + 1n : v;
  }

  /** Number of values of the set inside [start, end]. */
  countWithin(start: bigint, end: bigint): bigint {
    let total = 0n;
    let i = Math.max(this.floorIndex(start), 0);
    for (; i < this.starts.length && this.starts[i] <= end; i++) {
      const lo = this.starts[i] > start ? this.starts[i] : start;
      const hi = this.ends[i] < end ? this.ends[i] : end;
      if (hi >= lo) total += hi - lo + 1n;
    }
    return total;
  }

  /** Adds [start, end], merging with neighbours it overlaps or touches. */
  add(start: bigint, end: bigint = start): void {
    let i = this.floorIndex(start);
    if (i >= 0 && this.ends[i] + 1n >= start) {
      // Extends interval i.
      if (end > this.ends[i]) this.ends[i] = end;
    } else {
      i += 1;
      this.starts.splice(i, 0, start);
      this.ends.splice(i, 0, end);
    }
    // Swallow following intervals that now overlap or touch.
    let j = i + 1;
    while (j < this.starts.length && this.starts[j] <= this.ends[i] + 1n) {
      if (this.ends[j] > this.ends[i]) this.ends[i] = this.ends[j];
      j++;
    }
    if (j > i + 1) {
      this.starts.splice(i + 1, j - i - 1);
      this.ends.splice(i + 1, j - i - 1);
    }
  }
}
