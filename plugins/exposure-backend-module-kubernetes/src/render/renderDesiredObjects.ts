import type {
  Allocation,
  ExposureConfig,
  PoolConfig,
  SegmentConfig,
} from '@portico/plugin-exposure-common';
import { KubeObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './kubeObject';

const managed = (extra: Record<string, string> = {}) => ({
  [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  ...extra,
});

const selectors = (nodeSelector?: Record<string, string>) =>
  nodeSelector ? { nodeSelectors: [{ matchLabels: nodeSelector }] } : {};

/** A DNS-1123 name made of free text: lower case, `-` for anything else. */
function dnsName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 253);
}

/** ExposureGrant names: readable (namespace.service) and unique (request id). */
export function grantName(a: Allocation): string {
  return dnsName(`${a.namespace}.${a.serviceName}.${a.requestId.slice(0, 8)}`);
}

function poolObjects(
  pool: PoolConfig,
  segment: SegmentConfig,
  namespace: string,
): KubeObject[] {
  const labels = managed({
    'portico.dev/pool': pool.name,
    'portico.dev/segment': segment.name,
    'portico.dev/intent': pool.intent,
  });
  const metadata = { name: pool.name, namespace, labels };
  const ad = pool.advertisement;
  const advertisement: KubeObject =
    ad.type === 'l2'
      ? {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'L2Advertisement',
          metadata,
          spec: {
            ipAddressPools: [pool.name],
            ...(ad.interfaces ? { interfaces: ad.interfaces } : {}),
            ...selectors(ad.nodeSelector),
          },
        }
      : {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'BGPAdvertisement',
          metadata,
          spec: {
            ipAddressPools: [pool.name],
            ...(ad.communities.length ? { communities: ad.communities } : {}),
            ...(ad.largeCommunities.length
              ? { largeCommunities: ad.largeCommunities }
              : {}),
            ...(ad.localPreference !== undefined
              ? { localPref: ad.localPreference }
              : {}),
            ...(ad.aggregationLength !== undefined
              ? { aggregationLength: ad.aggregationLength }
              : {}),
            ...(ad.aggregationLengthV6 !== undefined
              ? { aggregationLengthV6: ad.aggregationLengthV6 }
              : {}),
            ...selectors(ad.nodeSelector),
          },
        };
  return [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata,
      // Portico assigns through grants; MetalLB itself must never auto-assign.
      spec: { addresses: pool.addresses, autoAssign: false },
    },
    advertisement,
  ];
}

function peerObjects(segment: SegmentConfig, namespace: string): KubeObject[] {
  return segment.bgpPeers.map(peer => ({
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: {
      name: dnsName(`${segment.name}-${peer.address.replace(/[.:]/g, '-')}`),
      namespace,
      labels: managed({ 'portico.dev/segment': segment.name }),
    },
    spec: {
      myASN: peer.localAsn,
      peerASN: peer.asn,
      peerAddress: peer.address,
      peerPort: peer.port,
      holdTime: `${peer.holdTime}s`,
      ...(peer.password ? { password: peer.password } : {}),
      ...selectors(peer.nodeSelector),
    },
  }));
}

/**
 * What one cluster should hold: the MetalLB objects of every pool whose segment
 * lists the cluster (peers only where a pool of the segment is BGP), and one
 * ExposureGrant per active allocation for a Service of that cluster.
 */
export function renderDesiredObjects(
  exposure: ExposureConfig,
  allocations: Allocation[],
  cluster: string,
  metallbNamespace: string,
): KubeObject[] {
  const segments = exposure.segments.filter(s => s.clusters.includes(cluster));
  const objects: KubeObject[] = [];
  for (const segment of segments) {
    const pools = exposure.pools.filter(p => p.segment === segment.name);
    pools.forEach(p =>
      objects.push(...poolObjects(p, segment, metallbNamespace)),
    );
    if (pools.some(p => p.advertisement.type === 'bgp')) {
      objects.push(...peerObjects(segment, metallbNamespace));
    }
  }
  for (const a of allocations.filter(x => x.cluster === cluster)) {
    objects.push({
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'ExposureGrant',
      metadata: {
        name: grantName(a),
        labels: managed({
          'portico.dev/request-id': a.requestId,
          'portico.dev/pool': a.pool,
        }),
      },
      spec: {
        service: { namespace: a.namespace, name: a.serviceName },
        addresses: [a.address],
        pool: a.pool,
        requestId: a.requestId,
        owner: a.owner,
        ...(a.expiresAt ? { expiresAt: a.expiresAt } : {}),
        allowSharedIP: a.shared,
      },
    });
  }
  return objects;
}
