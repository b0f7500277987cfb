import {
  IpFamily,
  IpRange,
  PoolConfig,
  SegmentConfig,
  countEdgeAddresses,
  countSubnetRouterAnycast,
  isEdgeAddress,
  isSubnetRouterAnycast,
  parseRange,
  rangeHas,
  rangeSize,
  rangesOverlap,
} from '@portico/plugin-exposure-common';
import { IntervalSet } from './IntervalSet';

/**
 * The address space of one pool, parsed once: its ranges sorted, the segment's
 * reserved ranges that touch them, and whether .0/.255 are skipped.
 */
export class PoolLayout {
  readonly family: IpFamily;
  readonly ranges: IpRange[];
  readonly reserved: IpRange[];
  readonly avoidEdges: boolean;

  constructor(readonly pool: PoolConfig, readonly segment: SegmentConfig) {
    this.ranges = pool.addresses
      .map(parseRange)
      .sort((a, b) => (a.start < b.start ? -1 : 1));
    this.family = this.ranges[0].family;
    this.reserved = segment.reserved
      .map(parseRange)
      .filter(r => this.ranges.some(p => rangesOverlap(p, r)));
    this.avoidEdges = pool.policy.avoidEdgeAddresses;
  }

  get total(): bigint {
    return this.ranges.reduce((sum, r) => sum + rangeSize(r), 0n);
  }

  /** Addresses of the pool never handed out: reserved ones and skipped edges. */
  get unusable(): bigint {
    const reserved = IntervalSet.fromSorted([]);
    for (const r of this.reserved) reserved.add(r.start, r.end);
    let count = 0n;
    for (const range of this.ranges) {
      count += reserved.countWithin(range.start, range.end);
      count += this.countSkipped(range);
      // Skipped addresses that are also reserved were counted twice.
      for (const r of this.reserved) {
        const lo = r.start > range.start ? r.start : range.start;
        const hi = r.end < range.end ? r.end : range.end;
        if (hi >= lo) {
          count -= this.countSkipped({ family: r.family, start: lo, end: hi });
        }
      }
    }
    return count;
  }

  /**
   * Addresses never handed out whatever is taken: .0/.255 when the pool
   * avoids them, and IPv6 Subnet-Router anycast addresses.
   */
  skipped(value: bigint): boolean {
    return (
      (this.avoidEdges && isEdgeAddress(this.family, value)) ||
      isSubnetRouterAnycast(this.family, value)
    );
  }

  private countSkipped(range: IpRange): bigint {
    return (
      (this.avoidEdges ? countEdgeAddresses(range) : 0n) +
      countSubnetRouterAnycast(range)
    );
  }

  contains(family: IpFamily, value: bigint): boolean {
    return this.ranges.some(r => rangeHas(r, { family, value }));
  }

  /** Why an address of the pool can never be handed out, if it cannot. */
  unusableReason(value: bigint): string | undefined {
    if (this.reserved.some(r => rangeHas(r, { family: this.family, value }))) {
      return 'is reserved on the segment';
    }
    if (isSubnetRouterAnycast(this.family, value)) {
      return 'is the Subnet-Router anycast address of its /64 (RFC 4291 §2.6.1)';
    }
    if (this.skipped(value)) {
      return 'ends in .0 or .255, which this pool skips';
    }
    return undefined;
  }

  /** A set of taken values seeded with the reserved ranges. */
  takenWith(allocated: Iterable<bigint>): IntervalSet {
    const taken = IntervalSet.fromSorted(allocated);
    for (const r of this.reserved) taken.add(r.start, r.end);
    if (this.family === 6 && this.markAnycast(taken)) return taken;
    if (!this.avoidEdges && this.family === 4) return taken;
    // Bridge gaps made only of skipped addresses, so a nearly full pool stays
    // a few intervals instead of one per /24 (or per /64).
    const bridged: [bigint, bigint][] = [];
    for (const [start, end] of taken.intervals()) {
      const last = bridged[bridged.length - 1];
      if (last && this.onlyEdgesBetween(last[1], start)) {
        last[1] = end;
      } else {
        bridged.push([start, end]);
      }
    }
    return IntervalSet.fromSortedIntervals(bridged);
  }

  /**
   * Marks the few Subnet-Router anycast addresses of an IPv6 pool as taken,
   * which merges them into the intervals around them. False when the pool
   * spans too many /64s for that; bridging then does the job.
   */
  private markAnycast(taken: IntervalSet): boolean {
    const span = 1n << 64n;
    const total = this.ranges.reduce(
      (sum, r) => sum + countSubnetRouterAnycast(r),
      0n,
    );
    if (total > 1024n) return false;
    for (const range of this.ranges) {
      const first = ((range.start + span - 1n) / span) * span;
      for (let v = first; v <= range.end; v += span) taken.add(v);
    }
    return true;
  }

  private onlyEdgesBetween(end: bigint, nextStart: bigint): boolean {
    // At most .255 and .0 (or one anycast address) can sit between two runs.
    if (nextStart - end > 3n) return false;
    for (let v = end + 1n; v < nextStart; v++) {
      if (!this.skipped(v)) return false;
    }
    return true;
  }

  /**
   * The lowest usable address not in `taken`, from `from` up, or undefined
   * when there is none. Each step is a binary search over taken intervals;
   * skipped addresses add a step each, and bridging keeps them out of long
   * runs.
   */
  lowestFree(taken: IntervalSet, from?: bigint): bigint | undefined {
    for (const range of this.ranges) {
      if (from !== undefined && range.end < from) continue;
      const start =
        from !== undefined && from > range.start ? from : range.start;
      let v = taken.nextFree(start);
      while (v <= range.end) {
        if (!this.skipped(v)) return v;
        v = taken.nextFree(v + 1n);
      }
    }
    return undefined;
  }

  /** The first address of the pool. */
  get first(): bigint {
    return this.ranges[0].start;
  }
}
