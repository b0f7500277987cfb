import type { V1Service } from '@kubernetes/client-node';
import { parseAddress } from '../kube/addresses';
import type { ConfigProblem, PoolConfig } from '../kube/metallbConfig';
import type { ConfigurationStateStatus } from '../kube/metallbStatusWriter';
import { describeRef } from '../kube/objectRef';
import type { IPAddressPoolStatus } from '../metallb/types';
import { poolFor } from './allocator/pools';
import { currentAddresses } from './serviceRequest';

/** The API field is an int64; JavaScript numbers are exact up to 2^53 - 1. */
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

function size(pool: PoolConfig, family: 'IPv4' | 'IPv6'): bigint {
  let total = 0n;
  for (const r of pool.ranges) {
    if (r.family !== family) continue;
    total += r.last - r.first + 1n;
    if (pool.avoidBuggyIPs && family === 'IPv4') {
      // Addresses ending in .0 or .255 are skipped (MetalLB's avoidBuggyIPs).
      for (const octet of [0n, 255n]) {
        const firstHit = r.first + ((octet - (r.first % 256n) + 256n) % 256n);
        if (firstHit <= r.last) total -= (r.last - firstHit) / 256n + 1n;
      }
    }
  }
  return total;
}

function clamp(n: bigint): number {
  if (n > MAX) return Number(MAX);
  return n < 0n ? 0 : Number(n);
}

/**
 * IPAddressPool status as MetalLB's controller writes it: the addresses of each
 * family in use by Services (an address shared by several counts once), and how
 * many more could be assigned.
 */
export function poolStatuses(
  pools: Map<string, PoolConfig>,
  services: V1Service[],
): Map<string, IPAddressPoolStatus> {
  const used = new Map<string, Set<string>>();
  for (const svc of services) {
    for (const ip of currentAddresses(svc)) {
      const parsed = parseAddress(ip);
      const pool = parsed && poolFor(pools, parsed);
      if (!pool) continue;
      const set = used.get(pool.name) ?? new Set<string>();
      set.add(parsed.text);
      used.set(pool.name, set);
    }
  }
  const out = new Map<string, IPAddressPoolStatus>();
  for (const pool of pools.values()) {
    const ips = [...(used.get(pool.name) ?? [])];
    const v4 = BigInt(ips.filter(ip => !ip.includes(':')).length);
    const v6 = BigInt(ips.filter(ip => ip.includes(':')).length);
    out.set(pool.name, {
      assignedIPv4: clamp(v4),
      assignedIPv6: clamp(v6),
      availableIPv4: clamp(size(pool, 'IPv4') - v4),
      availableIPv6: clamp(size(pool, 'IPv6') - v6),
    });
  }
  return out;
}

/**
 * A ConfigurationState status: Valid when every MetalLB object could be used,
 * Invalid with a summary naming each object and why otherwise.
 */
export function configurationStateStatus(
  problems: ConfigProblem[],
  now: Date,
): ConfigurationStateStatus {
  const summary = problems
    .map(p => `${describeRef(p.ref)}: ${p.message}`)
    .sort()
    .join('\n');
  const valid = problems.length === 0;
  return {
    result: valid ? 'Valid' : 'Invalid',
    errorSummary: summary,
    conditions: [
      {
        type: 'ConfigurationValid',
        status: valid ? 'True' : 'False',
        reason: valid ? 'Valid' : 'InvalidObjects',
        message: valid
          ? 'every MetalLB object is in use'
          : `${problems.length} object(s) not used; see errorSummary and their Events`,
        lastTransitionTime: now.toISOString(),
      },
    ],
  };
}
