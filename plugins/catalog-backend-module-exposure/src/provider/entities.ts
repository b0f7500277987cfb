import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Allocation, PoolSummary } from '@portico/plugin-exposure-common';
import { createHash } from 'node:crypto';
import type { ExposureSnapshot } from './exposureApiReader';

/** `spec.type` of the Resources this module provides. */
export const POOL_RESOURCE_TYPE = 'ip-pool';
export const VIP_RESOURCE_TYPE = 'vip';

/** Annotations and labels Portico puts on its Resources. */
export const PORTICO_ANNOTATIONS = {
  pool: 'portico.dev/pool',
  segment: 'portico.dev/segment',
  vlan: 'portico.dev/vlan',
  intent: 'portico.dev/intent',
  family: 'portico.dev/family',
  addresses: 'portico.dev/addresses',
  advertisement: 'portico.dev/advertisement',
  approval: 'portico.dev/approval',
  clusters: 'portico.dev/clusters',
  countTotal: 'portico.dev/count-total',
  countAllocated: 'portico.dev/count-allocated',
  countFree: 'portico.dev/count-free',
  address: 'portico.dev/address',
  requestIds: 'portico.dev/request-ids',
  services: 'portico.dev/services',
  ports: 'portico.dev/ports',
  shared: 'portico.dev/shared',
  expiresAt: 'portico.dev/expires-at',
} as const;

// Entity names: [a-zA-Z0-9] runs joined by single "-", "_" or ".", at most 63.
const MAX_NAME = 63;

function nameFrom(prefix: string, rest: string): string {
  const name = `${prefix}-${rest}`;
  if (name.length <= MAX_NAME) {
    return name;
  }
  // Long pool names or IPv6 addresses: keep a readable head and make it
  // unique with a digest of the whole.
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, MAX_NAME - 11).replace(/[-_.]+$/, '')}-${digest}`;
}

/** `2001:db8::10` → `2001-db8-0-10`, `192.0.2.10` → `192-0-2-10`. */
function addressSlug(address: string): string {
  return address
    .toLowerCase()
    .replace(/::/g, '-0-')
    .replace(/[.:%/]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function poolEntityName(pool: string): string {
  return nameFrom('pool', pool);
}

export function vipEntityName(pool: string, address: string): string {
  return nameFrom('vip', `${pool}-${addressSlug(address)}`);
}

export function poolEntityRef(pool: string): string {
  return `resource:default/${poolEntityName(pool)}`;
}

function normalizeRef(ref: string, defaultKind: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
  );
}

function locationAnnotations(target: string): Record<string, string> {
  return {
    [ANNOTATION_LOCATION]: `url:${target}`,
    [ANNOTATION_ORIGIN_LOCATION]: `url:${target}`,
  };
}

function compact(values: Record<string, string | undefined>) {
  return Object.fromEntries(
    Object.entries(values).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
}

/** One `ip-pool` Resource, owned by the platform team. */
export function poolEntity(
  pool: PoolSummary,
  baseUrl: string,
  platformTeam: string,
): Entity {
  const a = PORTICO_ANNOTATIONS;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: poolEntityName(pool.name),
      namespace: 'default',
      title: pool.name,
      description:
        pool.description ??
        `${pool.intent} pool on segment ${pool.segment}: ${pool.addresses.join(
          ', ',
        )}`,
      annotations: compact({
        ...locationAnnotations(`${baseUrl}/pools/${pool.name}`),
        [a.pool]: pool.name,
        [a.segment]: pool.segment,
        [a.vlan]: pool.vlan === undefined ? undefined : String(pool.vlan),
        [a.intent]: pool.intent,
        [a.family]: `ipv${pool.family}`,
        [a.addresses]: pool.addresses.join(','),
        [a.advertisement]: pool.advertisement.type,
        [a.approval]: pool.policy.approval,
        [a.clusters]: pool.clusters.join(','),
        [a.countTotal]: pool.counts.total,
        [a.countAllocated]: pool.counts.allocated,
        [a.countFree]: pool.counts.free,
      }),
      labels: compact({
        [a.intent]: pool.intent,
        [a.segment]: pool.segment,
        [a.vlan]: pool.vlan === undefined ? undefined : String(pool.vlan),
        [a.family]: `ipv${pool.family}`,
      }),
      tags: ['portico', pool.intent],
    },
    spec: {
      type: POOL_RESOURCE_TYPE,
      owner: normalizeRef(platformTeam, 'group'),
    },
  };
}

/**
 * One `vip` Resource per held address. Requests of one owner may share an
 * address when the pool allows it: they become one Resource that every
 * requesting component depends on.
 */
export function vipEntities(
  allocations: Allocation[],
  pools: Map<string, PoolSummary>,
  baseUrl: string,
): Entity[] {
  const byAddress = new Map<string, Allocation[]>();
  for (const allocation of allocations) {
    const key = `${allocation.pool}\u0000${allocation.address}`;
    byAddress.set(key, [...(byAddress.get(key) ?? []), allocation]);
  }
  const a = PORTICO_ANNOTATIONS;
  return [...byAddress.values()].map(group => {
    const first = group[0];
    const pool = pools.get(first.pool);
    const components = [
      ...new Set(group.map(g => normalizeRef(g.entityRef, 'component'))),
    ].sort();
    const services = group.map(
      g => `${g.cluster}/${g.namespace}/${g.serviceName}`,
    );
    const ports = [
      ...new Set(
        group.flatMap(g => g.ports.map(p => `${p.port}/${p.protocol}`)),
      ),
    ];
    const expiries = group
      .map(g => g.expiresAt)
      .filter((e): e is string => e !== undefined)
      .sort();
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: vipEntityName(first.pool, first.address),
        namespace: 'default',
        title: first.address,
        description: `${first.address} from pool ${
          first.pool
        } for ${services.join(', ')}`,
        annotations: compact({
          ...locationAnnotations(`${baseUrl}/allocations?pool=${first.pool}`),
          [a.address]: first.address,
          [a.pool]: first.pool,
          [a.segment]: first.segment,
          [a.intent]: pool?.intent,
          [a.vlan]: pool?.vlan === undefined ? undefined : String(pool.vlan),
          [a.requestIds]: group.map(g => g.requestId).join(','),
          [a.services]: services.join(','),
          [a.ports]: ports.join(','),
          [a.shared]: String(group.length > 1 || first.shared),
          // The soonest expiry is when the address may stop being announced.
          [a.expiresAt]: expiries[0],
        }),
        labels: compact({
          [a.pool]: first.pool,
          [a.segment]: first.segment,
          [a.intent]: pool?.intent,
        }),
        tags: ['portico', 'vip'],
      },
      spec: {
        type: VIP_RESOURCE_TYPE,
        owner: normalizeRef(first.owner, 'group'),
        dependsOn: [poolEntityRef(first.pool)],
        dependencyOf: components,
      },
    };
  });
}

/** Every entity the exposure state stands for. */
export function entitiesOf(
  snapshot: ExposureSnapshot,
  platformTeam: string,
): Entity[] {
  const pools = new Map(snapshot.pools.map(p => [p.name, p]));
  return [
    ...snapshot.pools.map(p => poolEntity(p, snapshot.baseUrl, platformTeam)),
    ...vipEntities(snapshot.allocations, pools, snapshot.baseUrl),
  ];
}
