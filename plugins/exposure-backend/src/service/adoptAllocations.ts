import { randomUUID } from 'node:crypto';
import type {
  AdoptionItem,
  AdoptionOutcome,
} from '@portico/plugin-exposure-node';
import {
  ExposureRequest,
  PoolConfig,
  SegmentConfig,
  addressKey,
  canonicalAddress,
  parseAddress,
} from '@portico/plugin-exposure-common';
import type { ExposureStoreTransaction } from '../database/ExposureStore';

/**
 * Records addresses a cluster already uses (adoption of a running MetalLB
 * cluster) as active allocations: each one a request, active at once, decided
 * by the platform member who confirmed, with the audit action `adopted`. An
 * address held meanwhile is skipped with the reason, never taken over.
 */
export async function adoptInTransaction(
  tx: ExposureStoreTransaction,
  options: {
    actor: string;
    at: string;
    pools: Map<string, { pool: PoolConfig; segment: SegmentConfig }>;
    record: (after: ExposureRequest) => Promise<void>;
  },
  items: AdoptionItem[],
): Promise<AdoptionOutcome[]> {
  const out: AdoptionOutcome[] = [];
  for (const item of items) {
    const entry = options.pools.get(item.pool);
    if (!entry) {
      out.push({ ...item, error: `no pool "${item.pool}" in the portal` });
      continue;
    }
    const address = canonicalAddress(item.address);
    const { family, value } = parseAddress(address);
    const held = await tx.getLease(entry.segment.name, address);
    if (held && (held.owner !== item.owner || held.pool !== item.pool)) {
      out.push({
        ...item,
        error: `${address} is already held by ${held.owner} in pool ${held.pool}`,
      });
      continue;
    }
    if (
      !held &&
      !(await tx.tryInsertLease({
        segment: entry.segment.name,
        address,
        family,
        addressKey: addressKey(family, value),
        pool: item.pool,
        owner: item.owner,
        createdAt: options.at,
      }))
    ) {
      out.push({ ...item, error: `${address} was taken meanwhile` });
      continue;
    }
    const request: ExposureRequest = {
      id: randomUUID(),
      state: 'active',
      requestedBy: options.actor,
      entityRef: item.entityRef ?? item.owner,
      owner: item.owner,
      cluster: item.cluster,
      namespace: item.namespace,
      serviceName: item.serviceName,
      ports: item.ports,
      pool: item.pool,
      segment: entry.segment.name,
      intent: entry.pool.intent,
      requestedAddress: address,
      address,
      exposureKind: 'direct',
      justification: `adopted from cluster ${item.cluster}, where it was in use`,
      reasons: [],
      decidedBy: options.actor,
      decidedAt: options.at,
      decisionComment: 'adopted: in use before Portico governed the cluster',
      createdAt: options.at,
      updatedAt: options.at,
    };
    await tx.insertRequest(request);
    if (
      !(await tx.tryAttach(
        request.id,
        entry.segment.name,
        address,
        item.ports,
        options.at,
      ))
    ) {
      throw new Error(
        `${address} already serves one of the ports of ${item.namespace}/${item.serviceName}`,
      );
    }
    await options.record(request);
    out.push({ ...item, address, requestId: request.id });
  }
  return out;
}
