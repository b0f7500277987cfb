import type {
  Allocation,
  ClusterReport,
  ExposureConfig,
  ExposureLiveState,
} from '@portico/plugin-exposure-common';
import { grantName } from '../render/renderDesiredObjects';
import { KubeObject } from '../render/kubeObject';
import { matchesAllocation } from '../reconcile/unallocatedGrants';

/** What one reachable cluster showed on its last read. */
export interface ClusterObservation {
  cluster: string;
  services: KubeObject[];
  grants: KubeObject[];
}

interface ServiceShape {
  spec?: { type?: string; loadBalancerClass?: string };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}

/** What a node agent speaker writes under `status.announcers.<node>`. */
interface AnnouncerEntry {
  mode?: string;
  addresses?: string[];
  renewedAt?: string;
  conflicts?: Array<{ address: string; mac: string; how: string; at: string }>;
  bgpSessions?: Array<{
    peer: string;
    peerAddress: string;
    state: string;
    lastError?: string;
  }>;
}

interface GrantShape {
  spec?: {
    service?: { namespace?: string; name?: string };
    addresses?: string[];
    requestId?: string;
  };
  status?: {
    conditions?: Array<{ type: string; status: string; message?: string }>;
    /** Written by each node agent speaker under its own node name. */
    announcers?: Record<string, AnnouncerEntry | null>;
  };
}

/** LoadBalancer Services of Portico's class (no class, or a `portico` one). */
export function isOurLoadBalancer(service: KubeObject): boolean {
  const spec = (service as ServiceShape).spec;
  if (spec?.type !== 'LoadBalancer') return false;
  const cls = spec.loadBalancerClass;
  return !cls || cls.includes('portico');
}

function ingressAddresses(service: KubeObject): string[] {
  return ((service as ServiceShape).status?.loadBalancer?.ingress ?? [])
    .map(i => i.ip)
    .filter((ip): ip is string => !!ip);
}

/**
 * Speakers renew their entry every 20 s; one older than a minute was left by a
 * node whose agent died, and no longer counts.
 */
const STALE_ANNOUNCER_MS = 60_000;

function isLive(entry: { renewedAt?: string } | null, now: number): boolean {
  if (!entry) return false;
  const at = entry.renewedAt ? Date.parse(entry.renewedAt) : NaN;
  return Number.isNaN(at) || now - at <= STALE_ANNOUNCER_MS;
}

function liveState(
  observation: ClusterObservation | undefined,
  service: KubeObject | undefined,
  address: string,
): ExposureLiveState['state'] {
  if (!observation) return 'unknown';
  return service && ingressAddresses(service).includes(address)
    ? 'assigned'
    : 'pending';
}

const key = (cluster: string, namespace = '', name = '') =>
  `${cluster}/${namespace}/${name}`;

/**
 * Compares what the portal allocated with what the clusters show: Services with
 * no grant (unmanaged), addresses the portal did not allocate, grants matching no
 * allocation, grants whose Service is gone, one address granted or live on two
 * clusters of a segment (drift), and the live state of each exposure. Pure: the caller reads the clusters.
 */
export function buildClusterReport(
  exposure: ExposureConfig,
  allocations: Allocation[],
  observations: ClusterObservation[],
  now: number = Date.now(),
): ClusterReport {
  const allocated = new Map<string, Allocation[]>();
  for (const a of allocations) {
    const k = key(a.cluster, a.namespace, a.serviceName);
    allocated.set(k, [...(allocated.get(k) ?? []), a]);
  }
  const observed = new Map(observations.map(o => [o.cluster, o]));
  const report: ClusterReport = { unmanaged: [], drift: [], exposures: [] };
  /** Clusters that hold each address: in a Service's status or in a grant. */
  const holders = new Map<string, Set<string>>();
  const hold = (ip: string, cluster: string) =>
    holders.set(ip, new Set([...(holders.get(ip) ?? []), cluster]));

  for (const { cluster, services, grants } of observations) {
    const serviceKeys = new Set<string>();
    for (const service of services.filter(isOurLoadBalancer)) {
      const { namespace, name } = service.metadata;
      const k = key(cluster, namespace, name);
      serviceKeys.add(k);
      const addresses = ingressAddresses(service);
      addresses.forEach(ip => hold(ip, cluster));
      const mine = allocated.get(k) ?? [];
      if (!mine.length) {
        const since = (
          service.metadata as { annotations?: Record<string, string> }
        ).annotations?.['portico.dev/ungranted-since'];
        report.unmanaged.push({
          cluster,
          namespace: namespace ?? '',
          name,
          addresses,
          ...(since ? { ungrantedSince: since } : {}),
        });
      }
      for (const ip of addresses) {
        if (!mine.some(a => a.address === ip)) {
          report.drift.push({
            kind: 'address-not-allocated',
            cluster,
            address: ip,
            namespace,
            name,
            message: `Service ${namespace}/${name} holds ${ip}, which the portal did not allocate to it`,
          });
        }
      }
    }
    for (const grant of grants) {
      const spec = (grant as GrantShape).spec;
      (spec?.addresses ?? []).forEach(ip => hold(ip, cluster));
      if (!matchesAllocation(grant, allocations, cluster)) {
        report.drift.push({
          kind: 'grant-not-allocated',
          cluster,
          address: spec?.addresses?.join(', '),
          namespace: spec?.service?.namespace,
          name: spec?.service?.name,
          message: `ExposureGrant ${grant.metadata.name} gives ${
            spec?.addresses?.join(', ') ?? 'no address'
          } to ${spec?.service?.namespace}/${
            spec?.service?.name
          } without an active allocation (request ${
            spec?.requestId ?? 'none'
          }); the portal removes it after the grace period`,
        });
      }
      const ref = spec?.service;
      if (
        !ref?.name ||
        serviceKeys.has(key(cluster, ref.namespace, ref.name))
      ) {
        continue;
      }
      report.drift.push({
        kind: 'grant-without-service',
        cluster,
        namespace: ref.namespace,
        name: ref.name,
        message: `ExposureGrant ${grant.metadata.name} covers ${ref.namespace}/${ref.name}, which does not exist`,
      });
    }
  }

  for (const [ip, clusters] of holders) {
    if (clusters.size < 2) continue;
    const shared = exposure.segments.filter(
      s => [...clusters].filter(c => s.clusters.includes(c)).length > 1,
    );
    if (!shared.length) continue;
    report.drift.push({
      kind: 'address-on-two-clusters',
      cluster: [...clusters].sort().join(','),
      address: ip,
      message: `${ip} is granted or live on clusters ${[...clusters]
        .sort()
        .join(' and ')} of segment ${shared.map(s => s.name).join(', ')}`,
    });
  }

  for (const a of allocations) {
    const observation = observed.get(a.cluster);
    const name = grantName(a);
    const grant = observation?.grants.find(g => g.metadata.name === name) as
      | GrantShape
      | undefined;
    const service = observation?.services.find(
      s =>
        s.metadata.namespace === a.namespace &&
        s.metadata.name === a.serviceName,
    );
    const assigned = grant?.status?.conditions?.find(
      c => c.type === 'Assigned',
    );
    const live = Object.entries(grant?.status?.announcers ?? {})
      .filter((e): e is [string, AnnouncerEntry] => isLive(e[1], now))
      .sort(([x], [y]) => x.localeCompare(y));
    const conflicts = live.flatMap(([node, entry]) =>
      (entry.conflicts ?? []).map(c => ({ node, ...c })),
    );
    const bgpSessions = live.flatMap(([node, entry]) =>
      (entry.bgpSessions ?? []).map(x => ({ node, ...x })),
    );
    for (const c of conflicts) {
      report.drift.push({
        kind: 'address-conflict',
        cluster: a.cluster,
        address: c.address,
        namespace: a.namespace,
        name: a.serviceName,
        message: `${c.address} is answered by ${c.mac} (${c.how}), seen by ${c.node}: the node does not announce it`,
      });
    }
    report.exposures.push({
      requestId: a.requestId,
      cluster: a.cluster,
      namespace: a.namespace,
      serviceName: a.serviceName,
      address: a.address,
      grant: name,
      state: liveState(observation, service, a.address),
      ...(assigned?.message ? { message: assigned.message } : {}),
      announcedBy: live
        .filter(([, entry]) => (entry.addresses ?? []).length > 0)
        .map(([node]) => node),
      ...(conflicts.length ? { conflicts } : {}),
      ...(bgpSessions.length ? { bgpSessions } : {}),
    });
  }
  return report;
}
