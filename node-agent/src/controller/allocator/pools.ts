import {
  ParsedAddress,
  confusesBuggyFirmware,
  IPFamily,
  rangeContains,
} from '../../kube/addresses';
import { anySelectorMatches } from '../../kube/labelSelector';
import type { PoolConfig } from '../../kube/metallbConfig';
import type { ServiceRequest } from './types';

/** Whether `ip` is an address `pool` may hand out. */
export function poolHolds(pool: PoolConfig, ip: ParsedAddress): boolean {
  if (pool.avoidBuggyIPs && confusesBuggyFirmware(ip)) {
    return false;
  }
  return pool.ranges.some(r => rangeContains(r, ip));
}

export function poolFor(
  pools: Map<string, PoolConfig>,
  ip: ParsedAddress,
): PoolConfig | undefined {
  for (const pool of pools.values()) {
    if (poolHolds(pool, ip)) return pool;
  }
  return undefined;
}

export function poolHasFamily(pool: PoolConfig, family: IPFamily): boolean {
  return pool.ranges.some(r => r.family === family);
}

/**
 * MetalLB `serviceAllocation`: a pool limited to namespaces (by name or selector)
 * or to Services (by selector) serves only those.
 */
export function poolServes(
  pool: PoolConfig,
  svc: ServiceRequest,
  namespaceLabels: Map<string, Record<string, string>>,
): boolean {
  if (pool.namespaces.length > 0 || pool.namespaceSelectors.length > 0) {
    const byName = pool.namespaces.includes(svc.namespace);
    const bySelector =
      pool.namespaceSelectors.length > 0 &&
      anySelectorMatches(
        pool.namespaceSelectors,
        namespaceLabels.get(svc.namespace),
      );
    if (!byName && !bySelector) return false;
  }
  if (pool.serviceSelectors.length > 0) {
    return anySelectorMatches(pool.serviceSelectors, svc.labels);
  }
  return true;
}

/** Pools for automatic assignment: lowest `priority` first, unprioritised last. */
export function autoAssignOrder(pools: Iterable<PoolConfig>): PoolConfig[] {
  return [...pools]
    .filter(p => p.autoAssign)
    .sort((a, b) => {
      const pa = a.priority ?? Number.POSITIVE_INFINITY;
      const pb = b.priority ?? Number.POSITIVE_INFINITY;
      return pa !== pb ? pa - pb : a.name.localeCompare(b.name);
    });
}

/**
 * Walks the addresses of `family` in `pool` in order, from `from` on, yielding
 * each one the pool may hand out (as its integer value). The caller stops at the
 * first it can take.
 */
export function* candidates(
  pool: PoolConfig,
  family: IPFamily,
  from = 0n,
): Generator<bigint> {
  for (const range of pool.ranges) {
    if (range.family !== family || range.last < from) continue;
    for (
      let v = range.first > from ? range.first : from;
      v <= range.last;
      v++
    ) {
      if (
        pool.avoidBuggyIPs &&
        confusesBuggyFirmware({ family, value: v, text: '' })
      ) {
        continue;
      }
      yield v;
    }
  }
}
