import { readFileSync } from 'node:fs';
import { KubeObject } from '@portico/test-cluster';
import { parse } from 'yaml';
import { z } from 'zod';
import { LAB_CONFIG } from '../paths';
import { METALLB_NAMESPACE } from './workloadObjects';

const labConfigSchema = z.object({
  exposure: z.object({
    segments: z.array(
      z.object({
        name: z.string(),
        bgpPeers: z
          .array(
            z.object({
              address: z.string(),
              asn: z.number(),
              localAsn: z.number(),
              holdTime: z.number().optional(),
            }),
          )
          .default([]),
      }),
    ),
    pools: z.array(
      z.object({
        name: z.string(),
        addresses: z.array(z.string()),
        advertisement: z.object({ type: z.enum(['l2', 'bgp']) }),
      }),
    ),
  }),
});

/**
 * The lab's pools as the MetalLB objects a platform team applies by hand
 * (IPAddressPool, L2Advertisement / BGPAdvertisement, BGPPeer), read from
 * lab/app-config.lab.yaml. Only for running the data plane without the portal
 * (the reconcile benchmark); with the portal, its cluster reconciler writes them.
 */
export function labPoolObjects(): KubeObject[] {
  const { exposure } = labConfigSchema.parse(
    parse(readFileSync(LAB_CONFIG, 'utf8')),
  );
  const meta = (name: string) => ({ name, namespace: METALLB_NAMESPACE });
  const pools = exposure.pools.flatMap((pool): KubeObject[] => [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: meta(pool.name),
      spec: { addresses: pool.addresses },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind:
        pool.advertisement.type === 'l2'
          ? 'L2Advertisement'
          : 'BGPAdvertisement',
      metadata: meta(pool.name),
      spec: { ipAddressPools: [pool.name] },
    },
  ]);
  const peers = exposure.segments.flatMap(segment =>
    segment.bgpPeers.map(
      (peer, i): KubeObject => ({
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: meta(`${segment.name}-${i}`),
        spec: {
          peerAddress: peer.address,
          peerASN: peer.asn,
          myASN: peer.localAsn,
          ...(peer.holdTime ? { holdTime: `${peer.holdTime}s` } : {}),
        },
      }),
    ),
  );
  return [...pools, ...peers];
}

/** An ExposureGrant as the portal writes it for an active allocation. */
export function exposureGrant(
  name: string,
  service: string,
  address: string,
  pool: string,
): KubeObject {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ExposureGrant',
    metadata: { name },
    spec: {
      service: { namespace: 'payments', name: service },
      addresses: [address],
      pool,
      requestId: name,
      owner: 'group:default/team-payments',
    },
  };
}
