import { parseMetalLBConfig } from './metallbConfig';

const ns = 'metallb-system';
const obj = (kind: string, name: string, spec: unknown) => ({
  apiVersion: kind === 'BGPPeer' ? 'metallb.io/v1beta2' : 'metallb.io/v1beta1',
  kind,
  metadata: { name, namespace: ns, uid: `uid-${name}` },
  spec,
});
const peer = (name: string, extra: object = {}) =>
  obj('BGPPeer', name, {
    myASN: 64512,
    peerASN: 64513,
    peerAddress: '192.0.2.254',
    ...extra,
  });
const empty = { pools: [], l2Advertisements: [], bgpAdvertisements: [] };

describe('parseMetalLBConfig, MetalLB v0.16 fields', () => {
  it('refuses each field the speaker does not implement, by name, and keeps defaults', () => {
    const config = parseMetalLBConfig({
      ...empty,
      peers: [
        peer('defaults', {
          disableMP: false,
          dualStackAddressFamily: false,
          enableGracefulRestart: false,
        }),
        peer('vrf', { vrf: 'red' }),
        peer('unnumbered', { interface: 'eth1', peerAddress: undefined }),
        peer('dynamic', { dynamicASN: 'external', peerASN: undefined }),
        peer('connect', { connectTime: '5s' }),
        peer('gr', { enableGracefulRestart: true }),
        peer('dual', { dualStackAddressFamily: true }),
        peer('no-asn', { peerASN: undefined }),
      ],
    });
    expect(config.peers.map(p => p.name)).toEqual(['defaults']);
    const why = Object.fromEntries(
      config.problems.map(p => [p.ref.name, p.message]),
    );
    expect(why).toEqual({
      vrf: expect.stringMatching(/^spec\.vrf \("red"\) is not supported/),
      unnumbered: expect.stringMatching(
        /spec\.interface \("eth1"\) is not supported/,
      ),
      dynamic: expect.stringMatching(
        /spec\.dynamicASN \("external"\) is not supported/,
      ),
      connect: expect.stringMatching(
        /spec\.connectTime \("5s"\) is not supported/,
      ),
      gr: expect.stringMatching(
        /spec\.enableGracefulRestart \(true\) is not supported/,
      ),
      dual: expect.stringMatching(
        /spec\.dualStackAddressFamily \(true\) is not supported/,
      ),
      'no-asn': expect.stringMatching(/peerASN is required/),
    });
    expect(why.vrf).toMatch(/this BGPPeer is not used/);
  });

  it('resolves Community aliases, refuses unknown ones and duplicate names', () => {
    const config = parseMetalLBConfig({
      pools: [obj('IPAddressPool', 'p', { addresses: ['192.0.2.0/28'] })],
      l2Advertisements: [],
      peers: [],
      communities: [
        obj('Community', 'a', {
          communities: [
            { name: 'gold', value: '64512:1' },
            { name: 'big', value: 'large:64512:2:3' },
          ],
        }),
        obj('Community', 'b', {
          communities: [{ name: 'gold', value: '1:1' }],
        }),
        obj('Community', 'c', {
          communities: [{ name: 'bad', value: '1:70000' }],
        }),
      ],
      bgpAdvertisements: [
        obj('BGPAdvertisement', 'ok', { communities: ['gold', 'big', '1:2'] }),
        obj('BGPAdvertisement', 'unknown', { communities: ['silver'] }),
      ],
    });
    expect(config.communityAliases).toEqual(
      new Map([
        ['gold', '64512:1'],
        ['big', 'large:64512:2:3'],
      ]),
    );
    const ok = config.bgpAdvertisements.find(a => a.name === 'ok')!;
    expect(ok.communities).toEqual(['64512:1', '1:2']);
    expect(ok.largeCommunities).toEqual(['64512:2:3']);
    expect(ok.resource.spec.communities).toEqual(['64512:1', '1:2']);
    expect(config.problems.map(p => [p.ref.name, p.message])).toEqual([
      ['b', expect.stringMatching(/gold is already defined/)],
      ['c', expect.stringMatching(/1:70000/)],
      ['unknown', expect.stringMatching(/"silver" is neither/)],
    ]);
  });

  it('fills BFDProfile defaults as MetalLB documents them and rejects out-of-range values', () => {
    const config = parseMetalLBConfig({
      ...empty,
      bfdProfiles: [
        obj('BFDProfile', 'default', {}),
        obj('BFDProfile', 'bad', { detectMultiplier: 1 }),
      ],
      peers: [
        peer('with-bfd', { bfdProfile: 'default' }),
        peer('bad-bfd', { bfdProfile: 'bad' }),
      ],
    });
    expect(config.bfdProfiles.get('default')).toMatchObject({
      receiveInterval: 300,
      transmitInterval: 300,
      detectMultiplier: 3,
      echoInterval: 50,
      echoMode: false,
      passiveMode: false,
      minimumTtl: 254,
    });
    expect(config.peers.map(p => [p.name, p.bfd?.name])).toEqual([
      ['with-bfd', 'default'],
    ]);
    expect(config.problems.map(p => p.ref.name).sort()).toEqual([
      'bad',
      'bad-bfd',
    ]);
  });

  it('reads localASN as the session AS, serviceSelectors and weighted preferredNodeSelectors', () => {
    const config = parseMetalLBConfig({
      pools: [obj('IPAddressPool', 'p', { addresses: ['192.0.2.0/28'] })],
      peers: [peer('tor', { localASN: 65001 })],
      l2Advertisements: [
        obj('L2Advertisement', 'l2', {
          serviceSelectors: [{ matchLabels: { tier: 'web' } }],
          preferredNodeSelectors: [
            { weight: 50, preference: { matchLabels: { rack: 'r1' } } },
          ],
        }),
        obj('L2Advertisement', 'heavy', {
          preferredNodeSelectors: [{ weight: 101, preference: {} }],
        }),
      ],
      bgpAdvertisements: [
        obj('BGPAdvertisement', 'b', {
          serviceSelectors: [{ matchLabels: { tier: 'web' } }],
        }),
      ],
    });
    expect(config.peers[0]).toMatchObject({ myASN: 64512, sessionASN: 65001 });
    expect(config.l2Advertisements.map(a => a.name)).toEqual(['l2']);
    expect(config.l2Advertisements[0]).toMatchObject({
      serviceSelectors: [{ matchLabels: { tier: 'web' } }],
      preferredNodeSelectors: [
        { weight: 50, preference: { matchLabels: { rack: 'r1' } } },
      ],
    });
    expect(config.bgpAdvertisements[0].serviceSelectors).toHaveLength(1);
    expect(config.problems.map(p => p.ref.name)).toEqual(['heavy']);
  });
});
