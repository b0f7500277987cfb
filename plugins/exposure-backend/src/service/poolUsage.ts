import type {
  CreateRequestBody,
  ExposureConfig,
  ExposureRequest,
  GuardrailUsage,
  PoolSummary,
  SegmentSummary,
} from '@portico/plugin-exposure-common';
import { formatAddress, parseAddress } from '@portico/plugin-exposure-common';
import type { ExposureStoreTransaction } from '../database/ExposureStore';
import type { PoolEntry } from './allocateAddress';

/** The segments as the API shows them (BGP passwords only as `hasPassword`). */
export function segmentSummaries(config: ExposureConfig): SegmentSummary[] {
  return config.segments.map(s => ({
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    cidrs: s.cidrs,
    ...(s.vlan !== undefined ? { vlan: s.vlan } : {}),
    modes: s.modes,
    bgpPeers: s.bgpPeers.map(p => ({
      address: p.address,
      asn: p.asn,
      localAsn: p.localAsn,
      port: p.port,
      holdTime: p.holdTime,
      hasPassword: p.password !== undefined,
      ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
    })),
    reserved: s.reserved,
    clusters: s.clusters,
    pools: config.pools.filter(p => p.segment === s.name).map(p => p.name),
  }));
}

/** A pool with its counts; `allocated` is the number of leased addresses. */
export function poolSummary(entry: PoolEntry, allocated: bigint): PoolSummary {
  const { pool, segment, layout } = entry;
  const total = layout.total;
  const reserved = layout.unusable;
  const free = total - reserved - allocated;
  return {
    name: pool.name,
    ...(pool.description ? { description: pool.description } : {}),
    segment: segment.name,
    ...(segment.vlan !== undefined ? { vlan: segment.vlan } : {}),
    intent: pool.intent,
    family: layout.family,
    addresses: pool.addresses,
    advertisement: pool.advertisement,
    policy: pool.policy,
    clusters: segment.clusters,
    counts: {
      total: total.toString(),
      allocated: allocated.toString(),
      reserved: reserved.toString(),
      free: (free < 0n ? 0n : free).toString(),
    },
  };
}

/**
 * What the guardrails need to know of the pool now: free addresses, what the
 * owner holds, and whether an address asked for is free or shareable.
 */
export async function measureUsage(
  tx: ExposureStoreTransaction,
  entry: PoolEntry,
  body: CreateRequestBody,
  replaced?: ExposureRequest,
): Promise<GuardrailUsage> {
  const { pool, segment, layout } = entry;
  const allocated = await tx.countLeased(pool.name);
  // A change takes over from the request it replaces: its address and its
  // place in the owner's quota are not counted against it.
  const takesOver = replaced?.pool === pool.name ? 1 : 0;
  const usage: GuardrailUsage = {
    free: layout.total - layout.unusable - allocated + BigInt(takesOver),
    ownerHeld: (await tx.countOwnerHeld(pool.name, body.owner)) - takesOver,
  };
  if (body.address === undefined) return usage;
  const { family, value } = parseAddress(body.address);
  if (!layout.contains(family, value)) return usage;
  if (takesOver && replaced?.address === formatAddress(family, value)) {
    return usage;
  }
  const unusable = layout.unusableReason(value);
  if (unusable) {
    usage.addressUnavailable = `${body.address} ${unusable}`;
    return usage;
  }
  const lease = await tx.getLease(segment.name, formatAddress(family, value));
  if (!lease) return usage;
  const clash = lease.ports.find(held =>
    body.ports.some(
      p => p.port === held.port && (p.protocol ?? 'TCP') === held.protocol,
    ),
  );
  if (!pool.policy.allowSharing) {
    usage.addressUnavailable = `${body.address} is taken and pool "${pool.name}" does not share addresses`;
  } else if (lease.owner !== body.owner) {
    usage.addressUnavailable = `${body.address} is held by ${lease.owner}; addresses are shared only within one owner`;
  } else if (clash) {
    usage.addressUnavailable = `${body.address} already serves port ${clash.port}/${clash.protocol}`;
  } else {
    usage.addressShareable = true;
  }
  return usage;
}
