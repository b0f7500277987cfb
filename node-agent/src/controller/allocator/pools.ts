import {
  ParsedAddress,
  confusesBuggyFirmware,
  formatAddress,
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
 * Walks the addresses of `family` in `pool` in order, yielding each one it may
 * hand out. The caller stops at the first it can take, so the walk is bounded by
 * the number of addresses already in use plus one.
 */
export function* candidates(
  pool: PoolConfig,
  family: IPFamily,
): Generator<string> {
  for (const range of pool.ranges) {
    if (range.family !== family) continue;
    for (let v = range.first; v <= range.last; v++) {
      const ip: ParsedAddress = { family, value: v, text: '' };
      if (pool.avoidBuggyIPs && confusesBuggyFirmware(ip)) continue;
      yield formatAddress(family, v);
    }
  }
}
