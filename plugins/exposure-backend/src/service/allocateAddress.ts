import { ConflictError } from '@backstage/errors';
import {
  ExposureRequest,
  PoolConfig,
  SegmentConfig,
  addressKey,
  formatAddress,
  parseAddress,
} from '@portico/plugin-exposure-common';
import { PoolLayout } from '../allocator/PoolLayout';
import { ExposureStoreTransaction } from '../database/ExposureStore';

/** How many taken addresses one allocation skips before giving up. */
const MAX_ALLOCATION_ATTEMPTS = 32;

export interface PoolEntry {
  pool: PoolConfig;
  segment: SegmentConfig;
  layout: PoolLayout;
}

/**
 * Leases an address for a request inside its transaction: the one it asked
 * for (shared within one owner where the pool allows it), or the lowest free
 * one. The unique constraint on leases decides between concurrent writers.
 */
export async function allocateAddress(
  tx: ExposureStoreTransaction,
  request: ExposureRequest,
  entry: PoolEntry,
  at: string,
): Promise<string> {
  const { pool, segment, layout } = entry;
  const lease = (value: bigint) => ({
    segment: segment.name,
    address: formatAddress(layout.family, value),
    family: layout.family,
    addressKey: addressKey(layout.family, value),
    pool: pool.name,
    owner: request.owner,
    createdAt: at,
  });

  if (request.requestedAddress) {
    const { value } = parseAddress(request.requestedAddress);
    const unusable = layout.unusableReason(value);
    if (unusable) {
      throw new ConflictError(`${request.requestedAddress} ${unusable}`);
    }
    const wanted = lease(value);
    if (!(await tx.tryInsertLease(wanted))) {
      const held = await tx.getLease(segment.name, wanted.address);
      if (
        !held ||
        !pool.policy.allowSharing ||
        held.owner !== request.owner ||
        held.pool !== pool.name
      ) {
        throw new ConflictError(
          `${wanted.address} is no longer available to ${request.owner}`,
        );
      }
    }
    if (
      !(await tx.tryAttach(
        request.id,
        segment.name,
        wanted.address,
        request.ports,
        at,
      ))
    ) {
      throw new ConflictError(
        `${wanted.address} already serves one of the ports of request ${request.id}`,
      );
    }
    return wanted.address;
  }

  const taken = layout.takenWith(
    await tx.leasedValues(pool.name, layout.family),
  );
  for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++) {
    const value = layout.lowestFree(taken);
    if (value === undefined) break;
    const candidate = lease(value);
    if (await tx.tryInsertLease(candidate)) {
      await tx.tryAttach(
        request.id,
        segment.name,
        candidate.address,
        request.ports,
        at,
      );
      return candidate.address;
    }
    // Another writer holds it (the unique constraint said so): skip it.
    taken.add(value);
  }
  throw new ConflictError(
    `pool "${pool.name}" is exhausted: no free address left`,
  );
}
