import type {
  BGPAdvertisement,
  BGPAdvertisementSpec,
  BGPPeer,
  IPAddressPool,
} from '../../metallb/types';
import { desiredRoutes, ServiceAnnouncementInput } from './desiredRoutes';

const pool = (
  name: string,
  labels?: Record<string, string>,
): IPAddressPool => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, labels },
  spec: { addresses: ['203.0.113.0/24', '2001:db8:5::/64'] },
});
const adv = (name: string, spec: BGPAdvertisementSpec): BGPAdvertisement => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BGPAdvertisement',
  metadata: { name },
  spec,
});
const peer = (
  name: string,
  nodeSelectors?: BGPPeer['spec']['nodeSelectors'],
): BGPPeer => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name },
  spec: {
    myASN: 64512,
    peerASN: 65000,
    peerAddress: '192.0.2.1',
    nodeSelectors,
  },
});
const svc = (
  address: string,
  policy: 'Cluster' | 'Local',
  readyEndpointNodes: string[],
  poolName = 'prod',
): ServiceAnnouncementInput => ({
  name: 'shop/web',
  addresses: [{ address, pool: poolName }],
  externalTrafficPolicy: policy,
  readyEndpointNodes,
});

const node = {
  name: 'node-a',
  labels: { rack: 'r1', 'bgp.portico.dev/enabled': 'true' },
};
const pools = [pool('prod', { intent: 'production-external' }), pool('lab')];
const peers = [
  peer('tor-a', [{ matchLabels: { rack: 'r1' } }]),
  peer('tor-b', [{ matchLabels: { rack: 'r2' } }]),
  peer('rr'),
];

type Case = {
  name: string;
  advertisements: BGPAdvertisement[];
  services: ServiceAnnouncementInput[];
  want: Record<string, unknown>;
};

const cases: Case[] = [
  {
    name: 'Cluster policy: announced to every peer that selects the node',
    advertisements: [adv('all', {})],
    services: [svc('203.0.113.10', 'Cluster', ['node-z'])],
    want: {
      'tor-a': [
        { prefix: '203.0.113.10/32', communities: [], largeCommunities: [] },
      ],
      rr: [
        { prefix: '203.0.113.10/32', communities: [], largeCommunities: [] },
      ],
    },
  },
  {
    name: 'Cluster policy with no ready endpoint anywhere: nothing',
    advertisements: [adv('all', {})],
    services: [svc('203.0.113.10', 'Cluster', [])],
    want: { 'tor-a': [], rr: [] },
  },
  {
    name: 'Local policy: only where an endpoint is ready',
    advertisements: [adv('all', { peers: ['rr'] })],
    services: [
      svc('203.0.113.10', 'Local', ['node-b']),
      svc('203.0.113.11', 'Local', ['node-a', 'node-b']),
    ],
    want: {
      'tor-a': [],
      rr: [
        { prefix: '203.0.113.11/32', communities: [], largeCommunities: [] },
      ],
    },
  },
  {
    name: 'aggregation length, communities, large communities and local pref per pool',
    advertisements: [
      adv('prod', {
        ipAddressPoolSelectors: [
          { matchLabels: { intent: 'production-external' } },
        ],
        aggregationLength: 24,
        aggregationLengthV6: 64,
        localPref: 200,
        communities: ['65000:100', 'large:64512:7:7', 'not-a-community'],
        largeCommunities: ['64512:1:1'],
        peers: ['rr'],
      }),
      adv('extra', {
        ipAddressPools: ['prod'],
        localPref: 150,
        communities: ['no-export'],
        peers: ['rr'],
      }),
      adv('lab-only', { ipAddressPools: ['lab'], communities: ['65000:999'] }),
    ],
    services: [
      svc('203.0.113.77', 'Cluster', ['node-a']),
      svc('2001:db8:5::9', 'Cluster', ['node-a']),
    ],
    want: {
      'tor-a': [],
      rr: [
        {
          prefix: '2001:db8:5::/64',
          localPref: 200,
          communities: ['65000:100'],
          largeCommunities: ['64512:1:1', '64512:7:7'],
        },
        {
          prefix: '2001:db8:5::9/128',
          localPref: 150,
          communities: ['no-export'],
          largeCommunities: [],
        },
        {
          prefix: '203.0.113.0/24',
          localPref: 200,
          communities: ['65000:100'],
          largeCommunities: ['64512:1:1', '64512:7:7'],
        },
        {
          prefix: '203.0.113.77/32',
          localPref: 150,
          communities: ['no-export'],
          largeCommunities: [],
        },
      ],
    },
  },
  {
    name: 'advertisement whose node selector excludes this node',
    advertisements: [
      adv('r2-only', { nodeSelectors: [{ matchLabels: { rack: 'r2' } }] }),
    ],
    services: [svc('203.0.113.10', 'Cluster', ['node-a'])],
    want: { 'tor-a': [], rr: [] },
  },
  {
    name: 'two advertisements on the same prefix merge, highest local pref wins',
    advertisements: [
      adv('a', { localPref: 100, communities: ['65000:1'] }),
      adv('b', {
        localPref: 300,
        communities: ['65000:2'],
        nodeSelectors: [
          {
            matchExpressions: [
              { key: 'bgp.portico.dev/enabled', operator: 'Exists' },
            ],
          },
        ],
      }),
    ],
    services: [svc('203.0.113.10', 'Cluster', ['node-a'])],
    want: {
      'tor-a': [
        {
          prefix: '203.0.113.10/32',
          localPref: 300,
          communities: ['65000:1', '65000:2'],
          largeCommunities: [],
        },
      ],
      rr: [
        {
          prefix: '203.0.113.10/32',
          localPref: 300,
          communities: ['65000:1', '65000:2'],
          largeCommunities: [],
        },
      ],
    },
  },
];

describe('desiredRoutes', () => {
  it.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const got = desiredRoutes({
      node,
      pools,
      peers,
      advertisements: c.advertisements,
      services: c.services,
    });
    expect(Object.fromEntries(got.byPeer)).toEqual(c.want);
  });

  it('explains what it skipped', () => {
    const got = desiredRoutes({
      node,
      pools,
      peers,
      advertisements: [adv('x', { communities: ['bogus'] })],
      services: [
        svc('203.0.113.10', 'Cluster', ['node-a'], 'missing'),
        svc('203.0.113.11', 'Cluster', ['node-a']),
      ],
    });
    expect(got.warnings).toEqual([
      'service shop/web: pool missing not found',
      'BGPAdvertisement x: community "bogus" is not valid (Community resources are not resolved)',
    ]);
  });
});
