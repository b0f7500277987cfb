import type {
  V1EndpointSlice,
  V1Node,
  V1Service,
} from '@kubernetes/client-node';
import { buildSnapshot, RawCluster } from '../kube/snapshot';
import { speakerState } from './desiredState';

// Pure: addresses are data only.
const ns = 'metallb-system';
const node = (
  name: string,
  labels: Record<string, string> = {},
  ready = true,
): V1Node => ({
  metadata: { name, labels },
  status: {
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    addresses: [{ type: 'InternalIP', address: `192.0.2.${name.slice(-1)}` }],
  },
});
const lb = (
  name: string,
  ips: string[],
  extra: Partial<V1Service['spec']> = {},
): V1Service => ({
  metadata: { name, namespace: 'apps' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...extra },
  status: { loadBalancer: { ingress: ips.map(ip => ({ ip })) } },
});
const slice = (
  service: string,
  nodes: Array<[string, boolean]>,
): V1EndpointSlice => ({
  addressType: 'IPv4',
  metadata: {
    name: `${service}-abc`,
    namespace: 'apps',
    labels: { 'kubernetes.io/service-name': service },
  },
  endpoints: nodes.map(([nodeName, ready], i) => ({
    addresses: [`198.18.0.${i + 1}`],
    nodeName,
    conditions: { ready },
  })),
});
const mlb = (
  kind: string,
  name: string,
  spec: unknown,
  labels?: Record<string, string>,
) => ({
  apiVersion: kind === 'BGPPeer' ? 'metallb.io/v1beta2' : 'metallb.io/v1beta1',
  kind,
  metadata: { name, namespace: ns, labels },
  spec,
});

function cluster(extra: Partial<RawCluster>): RawCluster {
  return {
    services: [],
    endpointSlices: [],
    nodes: [
      node('node-1', { zone: 'a' }),
      node('node-2', { zone: 'b' }),
      node('node-3', {}, false),
    ],
    namespaces: [],
    leases: [],
    grants: [],
    pools: [
      mlb('IPAddressPool', 'l2-pool', {
        addresses: ['192.0.2.100-192.0.2.119'],
      }),
      mlb('IPAddressPool', 'bgp-pool', { addresses: ['198.51.100.0/28'] }),
    ],
    l2Advertisements: [
      mlb('L2Advertisement', 'l2', {
        ipAddressPools: ['l2-pool'],
        interfaces: ['eth1'],
        nodeSelectors: [
          { matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
        ],
      }),
    ],
    bgpAdvertisements: [
      mlb('BGPAdvertisement', 'bgp', {
        ipAddressPools: ['bgp-pool'],
        communities: ['64512:100'],
      }),
    ],
    peers: [
      mlb('BGPPeer', 'tor-a', {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: '192.0.2.254',
        nodeSelectors: [{ matchLabels: { zone: 'a' } }],
      }),
      mlb('BGPPeer', 'tor-b', {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: '192.0.2.253',
        nodeSelectors: [{ matchLabels: { zone: 'b' } }],
      }),
    ],
    ...extra,
  };
}

const opts = {
  nodeName: 'node-1',
  loadBalancerClass: 'portico.dev/load-balancer',
};

describe('speakerState', () => {
  it('lists L2 VIPs with the ready nodes its advertisement selects', () => {
    const state = speakerState(
      buildSnapshot(cluster({ services: [lb('web', ['192.0.2.100'])] })),
      opts,
    );
    expect(state.l2).toEqual([
      {
        address: '192.0.2.100',
        nodes: ['node-1', 'node-2'],
        interfaces: ['eth1'],
      },
    ]);
    expect(state.readyNodes).toEqual(['node-1', 'node-2']);
  });

  it('with externalTrafficPolicy Local, only nodes with a ready endpoint are eligible', () => {
    const state = speakerState(
      buildSnapshot(
        cluster({
          services: [
            lb('web', ['192.0.2.101'], { externalTrafficPolicy: 'Local' }),
          ],
          endpointSlices: [
            slice('web', [
              ['node-2', true],
              ['node-1', false],
            ]),
          ],
        }),
      ),
      opts,
    );
    expect(state.l2).toEqual([
      { address: '192.0.2.101', nodes: ['node-2'], interfaces: ['eth1'] },
    ]);
  });

  it('announces BGP routes to the peers of this node only', () => {
    const state = speakerState(
      buildSnapshot(
        cluster({
          services: [lb('api', ['198.51.100.3'])],
          endpointSlices: [slice('api', [['node-2', true]])],
        }),
      ),
      opts,
    );
    expect(state.bgpPeers.map(p => p.name)).toEqual(['tor-a']);
    expect(state.bgpRoutes.get('tor-a')).toEqual([
      {
        prefix: '198.51.100.3/32',
        communities: ['64512:100'],
        largeCommunities: [],
      },
    ]);
    expect(state.l2).toEqual([]);
  });

  it("hands the BGP module the password read from the peer's passwordSecret", () => {
    const state = speakerState(
      buildSnapshot(
        cluster({
          peers: [
            mlb('BGPPeer', 'tor-a', {
              myASN: 64512,
              peerASN: 64513,
              peerAddress: '192.0.2.254',
              passwordSecret: { name: 'tor-a-auth' },
            }),
          ],
          secrets: [
            {
              metadata: { name: 'tor-a-auth', namespace: ns },
              type: 'kubernetes.io/basic-auth',
              data: { password: Buffer.from('md5-key').toString('base64') },
            },
          ],
        }),
      ),
      opts,
    );
    expect(state.bgpPeers).toEqual([
      expect.objectContaining({ name: 'tor-a', password: 'md5-key' }),
    ]);
  });

  it('refuses addresses outside every pool and Services of another class', () => {
    const state = speakerState(
      buildSnapshot(
        cluster({
          services: [
            lb('rogue', ['203.0.113.9']),
            lb('other', ['192.0.2.102'], {
              loadBalancerClass: 'example.com/other',
            }),
          ],
        }),
      ),
      opts,
    );
    expect(state.l2).toEqual([]);
    expect(state.warnings).toEqual([
      'Service apps/rogue: 203.0.113.9 is in no configured pool; not announced',
    ]);
  });
});
