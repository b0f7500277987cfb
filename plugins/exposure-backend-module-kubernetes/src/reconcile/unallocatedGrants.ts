import type { Allocation } from '@portico/plugin-exposure-common';
import type { KubeObject } from '../render/kubeObject';

interface GrantSpec {
  service?: { namespace?: string; name?: string };
  addresses?: string[];
  requestId?: string;
}

/**
 * True when an active allocation of the cluster stands behind the grant: the
 * same request, the same Service, and only the address allocated to it.
 */
export function matchesAllocation(
  grant: KubeObject,
  allocations: Allocation[],
  cluster: string,
): boolean {
  const spec = (grant.spec ?? {}) as GrantSpec;
  return allocations.some(
    a =>
      a.cluster === cluster &&
      a.requestId === spec.requestId &&
      a.namespace === spec.service?.namespace &&
      a.serviceName === spec.service?.name &&
      (spec.addresses ?? []).length > 0 &&
      (spec.addresses ?? []).every(ip => ip === a.address),
  );
}

const grantIdentity = (grant: KubeObject) =>
  (grant.metadata as { uid?: string }).uid ?? grant.metadata.name;

export interface UnallocatedGrant {
  grant: KubeObject;
  /** When the reconciler first saw it without an allocation (ms since epoch). */
  firstSeen: number;
  /** When it is removed unless an allocation appears (ms since epoch). */
  removeAt: number;
}

export interface GrantReview {
  /** Seen without an allocation for the first time on this pass. */
  found: UnallocatedGrant[];
  /** Past the grace period: to be removed now. */
  due: UnallocatedGrant[];
  /** Every grant without an allocation still in its grace period, new ones included. */
  waiting: UnallocatedGrant[];
}

/**
 * Remembers, for one cluster, since when each grant has matched no active
 * allocation. A grant is removed only after a grace period, so a grant another
 * replica has just written for an allocation this one has not read yet survives.
 */
export class UnallocatedGrantTracker {
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  review(
    grants: KubeObject[],
    allocations: Allocation[],
    cluster: string,
    now: number,
  ): GrantReview {
    const review: GrantReview = { found: [], due: [], waiting: [] };
    const seen = new Set<string>();
    for (const grant of grants) {
      if (matchesAllocation(grant, allocations, cluster)) continue;
      const id = grantIdentity(grant);
      seen.add(id);
      const first = this.firstSeen.get(id);
      const entry = {
        grant,
        firstSeen: first ?? now,
        removeAt: (first ?? now) + this.graceMs,
      };
      if (first === undefined) {
        this.firstSeen.set(id, now);
        review.found.push(entry);
      }
      (entry.removeAt <= now ? review.due : review.waiting).push(entry);
    }
    // Gone, or matched by an allocation now: forget them.
    for (const id of [...this.firstSeen.keys()]) {
      if (!seen.has(id)) this.firstSeen.delete(id);
    }
    return review;
  }
}
