import {
  outgoingTtl,
  parseDurationSeconds,
  peerConfigFromBGPPeer,
  peerConfigSchema,
} from './peerConfig';

describe('peer config from MetalLB', () => {
  it.each([
    ['90s', 90],
    ['1m30s', 90],
    ['3m', 180],
    ['1h', 3600],
    ['1500ms', 1],
  ])('reads the Go duration %s as %i s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '90', '1x', 's', '90s garbage'])('rejects %j', text => {
    expect(() => parseDurationSeconds(text)).toThrow(TypeError);
  });

  it('shapes a BGPPeer resource into the speaker config', () => {
    expect(
      peerConfigFromBGPPeer({
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: 'tor-a' },
        spec: {
          myASN: 64512,
          peerASN: 65000,
          peerAddress: '192.0.2.1',
          holdTime: '1m30s',
          keepaliveTime: '30s',
          ebgpMultiHop: true,
          nodeSelectors: [{ matchLabels: { rack: 'r1' } }],
        },
      }),
    ).toEqual({
      name: 'tor-a',
      myASN: 64512,
      peerASN: 65000,
      peerAddress: '192.0.2.1',
      holdTime: 90,
      keepaliveTime: 30,
      ebgpMultiHop: true,
    });
  });

  const peer = (over: object) =>
    peerConfigSchema.parse({
      name: 'p',
      myASN: 64512,
      peerASN: 65000,
      peerAddress: '192.0.2.1',
      ...over,
    });

  it('sends eBGP with TTL 1, multi-hop eBGP with 255, iBGP with the default', () => {
    expect(outgoingTtl(peer({}))).toBe(1);
    expect(outgoingTtl(peer({ ebgpMultiHop: true }))).toBe(255);
    expect(outgoingTtl(peer({ peerASN: 64512 }))).toBeUndefined();
    expect(
      outgoingTtl(peer({ peerASN: 64512, ebgpMultiHop: true })),
    ).toBeUndefined();
  });

  it('accepts TCP-MD5 passwords up to the kernel limit of 80 bytes', () => {
    expect(peer({ password: 'x'.repeat(80) }).password).toHaveLength(80);
    expect(() => peer({ password: 'x'.repeat(81) })).toThrow(/80 bytes/);
  });
});
