import { createHash } from 'node:crypto';
import {
  AdoptionCandidate,
  AdoptionReport,
  AdoptionSkipped,
  Allocation,
  ExposureConfig,
  IpRange,
  ServicePort,
  UnmatchedClusterPool,
  canonicalAddress,
  parseAddress,
  parseRange,
  rangeHas,
  rangesOverlap,
} from '@portico/plugin-exposure-common';

/** The Backstage Kubernetes plugin's link from a workload to its catalog entity. */
export const KUBERNETES_ID = 'backstage.io/kubernetes-id';

export interface ClusterService {
  namespace: string;
  name: string;
  addresses: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ports: ServicePort[];
}

export interface NamespaceOwnerRule {
  /** A namespace name, or a prefix ending in `*` (`shop-*`). */
  namespace: string;
  owner: string;
}

export interface AdoptionInput {
  cluster: string;
  config: ExposureConfig;
  clusterPools: Array<{ name: string; addresses: string[] }>;
  services: ClusterService[];
  /** `backstage.io/kubernetes-id` value → the catalog entity and its owner. */
  components: Map<string, { entityRef: string; owner: string }>;
  namespaceOwners: NamespaceOwnerRule[];
  allocations: Allocation[];
  /** Services of the other clusters of the same segments, as they hold addresses now. */
  otherClusters: Array<{ cluster: string; services: ClusterService[] }>;
}

function tryRange(text: string): IpRange | undefined {
  try {
    return parseRange(text);
  } catch {
    return undefined;
  }
}

function tryAddress(text: string) {
  try {
    return parseAddress(text);
  } catch {
    return undefined;
  }
}

function ruleMatches(rule: NamespaceOwnerRule, namespace: string): boolean {
  return rule.namespace.endsWith('*')
    ? namespace.startsWith(rule.namespace.slice(0, -1))
    : namespace === rule.namespace;
}

/**
 * What adopting a cluster would do, without doing it: each Service holding an
 * address is either a candidate (in a portal pool of a segment the cluster is on,
 * outside reserved ranges, held nowhere else, with an owner from the catalog or
 * a namespace rule) or skipped with the reason. Pure.
 */
export function planAdoption(input: AdoptionInput): AdoptionReport {
  const segments = input.config.segments.filter(s =>
    s.clusters.includes(input.cluster),
  );
  const segmentNames = new Set(segments.map(s => s.name));
  const pools = input.config.pools
    .filter(p => segmentNames.has(p.segment))
    .map(p => ({
      pool: p,
      ranges: p.addresses.map(tryRange).filter((r): r is IpRange => !!r),
    }));
  const reserved = new Map(
    segments.map(s => [
      s.name,
      s.reserved.map(tryRange).filter((r): r is IpRange => !!r),
    ]),
  );
  const elsewhere = new Map<string, string>();
  for (const other of input.otherClusters) {
    for (const svc of other.services) {
      for (const a of svc.addresses) {
        elsewhere.set(
          canonicalAddress(a),
          `${other.cluster}: ${svc.namespace}/${svc.name}`,
        );
      }
    }
  }

  const clusterRanges = input.clusterPools.map(cp => ({
    name: cp.name,
    ranges: cp.addresses.map(tryRange).filter((r): r is IpRange => !!r),
  }));
  const adopt: AdoptionCandidate[] = [];
  const skipped: AdoptionSkipped[] = [];
  for (const svc of input.services) {
    for (const raw of svc.addresses) {
      const parsed = tryAddress(raw);
      if (!parsed) continue;
      const address = canonicalAddress(raw);
      const skip = (reason: AdoptionSkipped['reason'], message: string) =>
        skipped.push({
          namespace: svc.namespace,
          serviceName: svc.name,
          address,
          reason,
          message,
        });
      const onSegment = segments.find(seg =>
        seg.cidrs.some(c => {
          const cidr = tryRange(c);
          return cidr && rangeHas(cidr, parsed);
        }),
      );
      if (
        onSegment &&
        (reserved.get(onSegment.name) ?? []).some(r => rangeHas(r, parsed))
      ) {
        skip('reserved', `${address} is reserved on segment ${onSegment.name}`);
        continue;
      }
      const match = pools.find(p => p.ranges.some(r => rangeHas(r, parsed)));
      if (!match) {
        skip(
          'no-portal-pool',
          `${address} is in no portal pool of the segments cluster ${input.cluster} is on`,
        );
        continue;
      }
      const segment = match.pool.segment;
      const clusterPool = clusterRanges.find(cp =>
        cp.ranges.some(r => rangeHas(r, parsed)),
      );
      if (clusterPool && clusterPool.name !== match.pool.name) {
        skip(
          'cluster-pool-name-differs',
          `${address} is in the cluster's IPAddressPool ${clusterPool.name}, the portal's pool is ${match.pool.name}: rename one so both are one pool (grants name ${match.pool.name}, which the node agent refuses while ${clusterPool.name} overlaps it)`,
        );
        continue;
      }
      const held = input.allocations.find(
        a => a.segment === segment && canonicalAddress(a.address) === address,
      );
      if (held) {
        const same =
          held.cluster === input.cluster &&
          held.namespace === svc.namespace &&
          held.serviceName === svc.name;
        skip(
          same ? 'already-managed' : 'held-by-another-allocation',
          same
            ? `already allocated by request ${held.requestId}`
            : `${address} is allocated to ${held.cluster}: ${held.namespace}/${held.serviceName} (request ${held.requestId})`,
        );
        continue;
      }
      const other = elsewhere.get(address);
      if (other) {
        skip(
          'held-on-another-cluster',
          `${address} is also held on ${other}, same segment ${segment}`,
        );
        continue;
      }
      const id =
        svc.labels[KUBERNETES_ID] ?? svc.annotations[KUBERNETES_ID] ?? '';
      const component = id ? input.components.get(id) : undefined;
      const rule = input.namespaceOwners.find(r =>
        ruleMatches(r, svc.namespace),
      );
      if (!component && !rule) {
        skip(
          'no-owner',
          id
            ? `no catalog entity has ${KUBERNETES_ID}: ${id}, and no namespace rule covers ${svc.namespace}`
            : `no ${KUBERNETES_ID} label or annotation, and no namespace rule covers ${svc.namespace}`,
        );
        continue;
      }
      adopt.push({
        namespace: svc.namespace,
        serviceName: svc.name,
        address,
        pool: match.pool.name,
        segment,
        owner: component?.owner ?? rule!.owner,
        ...(component ? { entityRef: component.entityRef } : {}),
        ownerFrom: component ? 'catalog' : 'namespace-rule',
        ports: svc.ports,
      });
    }
  }

  const unmatchedPools: UnmatchedClusterPool[] = [];
  for (const cp of input.clusterPools) {
    const ranges = cp.addresses.map(tryRange).filter((r): r is IpRange => !!r);
    const covered = ranges.some(r =>
      pools.some(p => p.ranges.some(pr => rangesOverlap(pr, r))),
    );
    if (covered) continue;
    const first = ranges[0];
    const segment = input.config.segments.find(s =>
      s.cidrs.some(c => {
        const cidr = tryRange(c);
        return cidr && first && rangesOverlap(cidr, first);
      }),
    );
    unmatchedPools.push({
      name: cp.name,
      addresses: cp.addresses,
      suggestedConfig: [
        'exposure:',
        '  pools:',
        `    - name: ${cp.name}`,
        `      segment: ${segment?.name ?? 'SEGMENT-OF-THESE-ADDRESSES'}`,
        '      intent: internal',
        '      addresses:',
        ...cp.addresses.map(a => `        - ${a}`),
        '      policy:',
        '        approval: required',
        '',
      ].join('\n'),
    });
  }

  const removed = new Map<
    string,
    { namespace: string; serviceName: string; addresses: string[] }
  >();
  for (const s of skipped) {
    if (s.reason === 'already-managed') continue;
    const key = `${s.namespace}/${s.serviceName}`;
    const entry = removed.get(key) ?? {
      namespace: s.namespace,
      serviceName: s.serviceName,
      addresses: [],
    };
    entry.addresses.push(s.address);
    removed.set(key, entry);
  }

  const order = (
    a: { namespace: string; serviceName: string; address?: string },
    b: typeof a,
  ) =>
    `${a.namespace}/${a.serviceName}/${a.address ?? ''}`.localeCompare(
      `${b.namespace}/${b.serviceName}/${b.address ?? ''}`,
    );
  adopt.sort(order);
  skipped.sort(order);
  return {
    cluster: input.cluster,
    dryRun: true,
    token: adoptionToken(input.cluster, adopt),
    adopt,
    skipped,
    unmatchedPools,
    enforceWouldRemove: [...removed.values()].sort(order),
  };
}

/** Changes whenever what would be adopted changes. */
export function adoptionToken(
  cluster: string,
  adopt: AdoptionCandidate[],
): string {
  return createHash('sha256')
    .update(JSON.stringify([cluster, adopt]))
    .digest('hex')
    .slice(0, 32);
}
