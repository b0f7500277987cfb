import type {
  PoolCounts,
  RequestState,
  ServicePort,
  Verdict,
} from '@portico/plugin-exposure-common';

/** `443/TCP → 8443 (https), 53/UDP`: the Service port, where it goes, its name. */
export function formatPorts(ports: ServicePort[]): string {
  return ports
    .map(p => {
      const target =
        p.targetPort !== undefined && p.targetPort !== p.port
          ? ` → ${p.targetPort}`
          : '';
      const name = p.name ? ` (${p.name})` : '';
      return `${p.port}/${p.protocol ?? 'TCP'}${target}${name}`;
    })
    .join(', ');
}

/** A date-time in the reader's locale, or an em dash when there is none. */
export function formatDateTime(iso?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export const verdictLabels: Record<Verdict, string> = {
  allow: 'Allowed',
  'needs-approval': 'Needs approval',
  deny: 'Denied',
};

export const stateLabels: Record<RequestState, string> = {
  pending: 'Needs approval',
  approved: 'Approved',
  rejected: 'Rejected',
  active: 'Active',
  released: 'Released',
  expired: 'Expired',
};

/** Shares of a pool in percent; the counts are decimal strings (an IPv6 /64 has 2^64). */
export function usageShares(counts: PoolCounts): {
  allocated: number;
  reserved: number;
  free: number;
} {
  const total = BigInt(counts.total);
  if (total === 0n) return { allocated: 0, reserved: 0, free: 0 };
  const pct = (n: string) => Number((BigInt(n) * 10000n) / total) / 100;
  return {
    allocated: pct(counts.allocated),
    reserved: pct(counts.reserved),
    free: pct(counts.free),
  };
}

/** `1,234` for small counts, `2^64`-sized counts as `1.8e19`. */
export function formatCount(count: string): string {
  const n = BigInt(count);
  if (n < 1_000_000_000_000n) return Number(n).toLocaleString('en-US');
  return Number(n).toExponential(1);
}

/**
 * `user:default/pat` → `pat`, `group:team-a/x` → `team-a/x`: the kind is left
 * out when it is the expected one, the namespace when it is `default`.
 */
export function shortRef(ref: string, expectedKind: string): string {
  const match = /^(?:([^:/]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref);
  if (!match) return ref;
  const [, kind, namespace, name] = match;
  const kindPart =
    kind && kind.toLowerCase() !== expectedKind.toLowerCase() ? `${kind}:` : '';
  const namespacePart =
    namespace && namespace !== 'default' ? `${namespace}/` : '';
  return `${kindPart}${namespacePart}${name}`;
}
