/** A small valid exposure config used as the starting point of tests. */
export function sampleConfig(): any {
  return {
    segments: [
      {
        name: 'dc1-edge',
        cidrs: ['10.40.20.0/24', '2001:db8:40:20::/64'],
        vlan: 420,
        modes: ['l2', 'bgp'],
        bgpPeers: [{ address: '10.40.20.1', asn: 64512, localAsn: 64513 }],
        reserved: ['10.40.20.1-10.40.20.9', '10.40.20.254'],
        clusters: ['demo'],
      },
    ],
    pools: [
      {
        name: 'prod-external',
        segment: 'dc1-edge',
        intent: 'production-external',
        addresses: ['10.40.20.120-10.40.20.139'],
        advertisement: { type: 'l2' },
        policy: {
          owners: ['team-payments', 'group:default/team-search'],
          approval: 'required',
          ports: [80, 443],
          protocols: ['TCP'],
        },
      },
      {
        name: 'temp',
        segment: 'dc1-edge',
        intent: 'temporary',
        addresses: ['10.40.20.200/29'],
        policy: { approval: 'automatic', maxLifetimeHours: 72 },
      },
    ],
  };
}
