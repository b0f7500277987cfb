import { parseMetalLBConfig } from './metallbConfig';

const ns = 'metallb-system';
const obj = (
  kind: string,
  name: string,
  spec: unknown,
  extra: object = {},
) => ({
  apiVersion: kind === 'BGPPeer' ? 'metallb.io/v1beta2' : 'metallb.io/v1beta1',
  kind,
  metadata: { name, namespace: ns, uid: `uid-${name}`, ...extra },
  spec,
});

describe('parseMetalLBConfig', () => {
  it('reads the seed example as is', () => {
    const config = parseMetalLBConfig({
      pools: [
        obj('IPAddressPool', 'prod-external', {
          addresses: ['10.40.20.120-10.40.20.139'],
        }),
      ],
      l2Advertisements: [
        obj('L2Advertisement', 'prod-external', {
          ipAddressPools: ['prod-external'],
        }),
      ],
      bgpAdvertisements: [],
      peers: [],
    });
    expect(config.problems).toEqual([]);
    expect(config.pools.get('prod-external')).toMatchObject({
      autoAssign: true,
      avoidBuggyIPs: false,
    });
    expect(config.l2Advertisements).toEqual([
      expect.objectContaining({
        name: 'prod-external',
        pools: ['prod-external'],
      }),
    ]);
  });

  it('reports a malformed pool on that pool and keeps the others', () => {
    const config = parseMetalLBConfig({
      pools: [
        obj('IPAddressPool', 'good', { addresses: ['192.0.2.0/28'] }),
        obj('IPAddressPool', 'bad-range', {
          addresses: ['192.0.2.40-192.0.2.30'],
        }),
        obj('IPAddressPool', 'no-addresses', {}),
        obj('IPAddressPool', 'wrong-type', { addresses: 'not-a-list' }),
        obj('IPAddressPool', 'also-good', { addresses: ['198.51.100.0/30'] }),
      ],
      l2Advertisements: [obj('L2Advertisement', 'all', {})],
      bgpAdvertisements: [],
      peers: [],
    });
    expect([...config.pools.keys()].sort()).toEqual(['also-good', 'good']);
    expect(
      config.problems
        .map(p => [p.ref.kind, p.ref.name, p.ref.uid])
        .sort((a, b) => a[1]!.localeCompare(b[1]!)),
    ).toEqual([
      ['IPAddressPool', 'bad-range', 'uid-bad-range'],
      ['IPAddressPool', 'no-addresses', 'uid-no-addresses'],
      ['IPAddressPool', 'wrong-type', 'uid-wrong-type'],
    ]);
    expect(
      config.problems.find(p => p.ref.name === 'bad-range')?.message,
    ).toMatch(/ends before it starts/);
    // An advertisement without pool references covers every valid pool.
    expect(config.l2Advertisements[0].pools.sort()).toEqual([
      'also-good',
      'good',
    ]);
  });

  it('rejects the newer of two overlapping pools', () => {
    const config = parseMetalLBConfig({
      pools: [
        obj(
          'IPAddressPool',
          'b-newer',
          { addresses: ['192.0.2.8/29'] },
          { creationTimestamp: '2026-02-01T00:00:00Z' },
        ),
        obj(
          'IPAddressPool',
          'z-older',
          { addresses: ['192.0.2.0/28'] },
          { creationTimestamp: '2026-01-01T00:00:00Z' },
        ),
      ],
      l2Advertisements: [],
      bgpAdvertisements: [],
      peers: [],
    });
    expect([...config.pools.keys()]).toEqual(['z-older']);
    expect(config.problems).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/overlaps .* z-older/),
      }),
    ]);
  });

  it('reports unknown pool references and keeps the known ones', () => {
    const config = parseMetalLBConfig({
      pools: [
        obj(
          'IPAddressPool',
          'p',
          { addresses: ['192.0.2.0/28'] },
          { labels: { zone: 'a' } },
        ),
      ],
      l2Advertisements: [
        obj('L2Advertisement', 'l2', { ipAddressPools: ['p', 'missing'] }),
        obj('L2Advertisement', 'only-missing', { ipAddressPools: ['missing'] }),
        obj('L2Advertisement', 'by-label', {
          ipAddressPoolSelectors: [{ matchLabels: { zone: 'a' } }],
        }),
      ],
      bgpAdvertisements: [],
      peers: [],
    });
    expect(config.l2Advertisements.map(a => [a.name, a.pools])).toEqual([
      ['by-label', ['p']],
      ['l2', ['p']],
      ['only-missing', []],
    ]);
    expect(config.problems.map(p => p.ref.name)).toEqual([
      'l2',
      'only-missing',
    ]);
  });

  it('reads BGP peers and advertisements with defaults, and rejects bad ones', () => {
    const config = parseMetalLBConfig({
      pools: [obj('IPAddressPool', 'p', { addresses: ['192.0.2.0/28'] })],
      l2Advertisements: [],
      bgpAdvertisements: [
        obj('BGPAdvertisement', 'adv', {
          communities: ['65000:100', 'large:65000:1:2'],
          largeCommunities: ['4200000000:7:8'],
          localPref: 200,
          peers: ['router'],
        }),
        obj('BGPAdvertisement', 'bad-community', { communities: ['70000:1'] }),
        obj('BGPAdvertisement', 'bad-length', { aggregationLength: 33 }),
      ],
      peers: [
        obj('BGPPeer', 'router', {
          myASN: 64512,
          peerASN: 64513,
          peerAddress: '192.0.2.254',
        }),
        obj('BGPPeer', 'short-hold', {
          myASN: 64512,
          peerASN: 64513,
          peerAddress: '192.0.2.253',
          holdTime: '2s',
        }),
        obj('BGPPeer', 'bad-address', {
          myASN: 64512,
          peerASN: 64513,
          peerAddress: 'router.example',
        }),
      ],
    });
    expect(config.peers).toEqual([
      expect.objectContaining({
        name: 'router',
        peerPort: 179,
        holdTimeSeconds: 90,
        keepaliveSeconds: 30,
      }),
    ]);
    expect(config.bgpAdvertisements).toEqual([
      expect.objectContaining({
        name: 'adv',
        pools: ['p'],
        aggregationLength: 32,
        aggregationLengthV6: 128,
        communities: ['65000:100'],
        largeCommunities: ['65000:1:2', '4200000000:7:8'],
        allPeers: false,
        peers: ['router'],
      }),
    ]);
    expect(
      config.problems
        .map(p => [p.ref.name, p.message])
        .sort((a, b) => a[0].localeCompare(b[0])),
    ).toEqual([
      ['bad-address', expect.stringMatching(/not an IP address/)],
      ['bad-community', expect.stringMatching(/70000:1/)],
      ['bad-length', expect.stringMatching(/aggregationLength/)],
      ['short-hold', expect.stringMatching(/RFC 4271/)],
    ]);
  });
});
