import type { ServicePort } from './types';

interface Holder {
  pool: string;
  sharingKey?: string;
  backendKey?: string;
  ports: ServicePort[];
}

export interface Claim {
  service: string;
  pool: string;
  sharingKey?: string;
  backendKey?: string;
  ports: ServicePort[];
}

/**
 * Who holds which address during one allocation pass. Two Services may hold one
 * address only when both carry the same sharing key, select the same backends
 * (when that matters), and use no port/protocol pair in common — MetalLB's rules
 * (internal/allocator `sharingOK` and the ports check in `Assign`).
 */
export class AddressBook {
  private readonly holders = new Map<string, Map<string, Holder>>();
  /**
   * Per pool and family, the lowest address that may still be free. Within one
   * pass addresses are only ever taken, never given back, so a Service that does
   * not share can start its search there: a pass stays linear in the number of
   * Services instead of quadratic.
   */
  private readonly freeFrom = new Map<string, bigint>();

  firstMaybeFree(pool: string, family: string): bigint {
    return this.freeFrom.get(`${pool}/${family}`) ?? 0n;
  }

  /** Records that every candidate of `pool` below `value` is taken. */
  takenBelow(pool: string, family: string, value: bigint): void {
    const key = `${pool}/${family}`;
    if (value > (this.freeFrom.get(key) ?? 0n)) this.freeFrom.set(key, value);
  }

  /** Why `claim` cannot take `address`, or undefined when it can. */
  conflict(address: string, claim: Claim): string | undefined {
    const current = this.holders.get(address);
    if (!current) {
      return undefined;
    }
    for (const [other, holder] of current) {
      if (other === claim.service) {
        continue;
      }
      if (!holder.sharingKey || !claim.sharingKey) {
        return `${address} is already used by Service ${other}, and sharing is not allowed`;
      }
      if (holder.sharingKey !== claim.sharingKey) {
        return `${address} is shared by Service ${other} under another sharing key`;
      }
      if ((holder.backendKey ?? '') !== (claim.backendKey ?? '')) {
        return `${address} is shared by Service ${other}, which selects other pods (externalTrafficPolicy: Local)`;
      }
      const clash = claim.ports.find(p =>
        holder.ports.some(
          q =>
            q.port === p.port &&
            q.protocol.toUpperCase() === p.protocol.toUpperCase(),
        ),
      );
      if (clash) {
        return `port ${clash.protocol}/${clash.port} of ${address} is already used by Service ${other}`;
      }
    }
    return undefined;
  }

  take(address: string, claim: Claim): void {
    let current = this.holders.get(address);
    if (!current) {
      current = new Map();
      this.holders.set(address, current);
    }
    current.set(claim.service, {
      pool: claim.pool,
      sharingKey: claim.sharingKey,
      backendKey: claim.backendKey,
      ports: claim.ports,
    });
  }

  isUsed(address: string): boolean {
    return (this.holders.get(address)?.size ?? 0) > 0;
  }

  /** Addresses in use, per pool. */
  countByPool(): Map<string, number> {
    const out = new Map<string, number>();
    for (const holders of this.holders.values()) {
      const pool = holders.values().next().value?.pool;
      if (pool !== undefined) out.set(pool, (out.get(pool) ?? 0) + 1);
    }
    return out;
  }
}
