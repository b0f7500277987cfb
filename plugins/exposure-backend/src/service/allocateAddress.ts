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
import { AllocationCursors } from './allocationCursors';

/** How many taken addresses one allocation skips before giving up. */
const MAX_ALLOCATION_ATTEMPTS = 32;

/** Leased addresses read per query while looking for a free one. */
const SCAN_CHUNK = 256;

export interface PoolEntry {
  pool: PoolConfig;
  segment: SegmentConfig;
  layout: PoolLayout;
}

/**
 * The lowest free address of the pool from `from` up, reading the leases in
 * key order a chunk at a time: a free address below the chunk's last lease is
 * certain, one above it needs the next chunk.
 */
async function nextFree(
  tx: ExposureStoreTransaction,
  entry: PoolEntry,
  from: bigint,
): Promise<bigint | undefined> {
  const { pool, layout } = entry;
  let cursor = from;
  for (;;) {
    const leased = await tx.leasedValuesFrom(
      pool.name,
      layout.family,
      addressKey(layout.family, cursor),
      SCAN_CHUNK,
    );
    const value = layout.lowestFree(layout.takenWith(leased), cursor);
    const last = leased[leased.length - 1];
    if (value === undefined || leased.length < SCAN_CHUNK || value < last) {
      return value;
    }
    cursor = last + 1n;
  }
}

/**
 * Leases an address for a request inside its transaction: the one it asked
 * for (shared within one owner where the pool allows it), or the next free
 * one after the last this process handed out, wrapping around to the start of
 * the pool once (next fit: constant cost however full the pool is). The
 * unique constraint on leases decides between concurrent writers.
 */
export async function allocateAddress(
  tx: ExposureStoreTransaction,
  request: ExposureRequest,
  entry: PoolEntry,
  at: string,
  cursors: AllocationCursors,
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

  // From the cursor up, then, when nothing is free there, from the start
  // (addresses below the cursor may have been released, by another replica).
  const cursor = cursors.next(pool.name);
  const starts =
    cursor !== undefined && cursor > layout.first
      ? [cursor, layout.first]
      : [layout.first];
  let attempts = 0;
  for (let from of starts) {
    while (attempts++ < MAX_ALLOCATION_ATTEMPTS) {
      const value = await nextFree(tx, entry, from);
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
        cursors.allocated(pool.name, value);
        return candidate.address;
      }
      // Another writer holds it (the unique constraint said so): skip it.
      from = value + 1n;
    }
  }
  throw new ConflictError(
    `pool "${pool.name}" is exhausted: no free address left`,
  );
}
