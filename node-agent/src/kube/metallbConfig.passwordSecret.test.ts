import { parseMetalLBConfig } from './metallbConfig';
import { trimSecret } from './peerSecrets';

const ns = 'metallb-system';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function peer(name: string, extra: object) {
  return {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name, namespace: ns, uid: `uid-${name}` },
    spec: {
      myASN: 64512,
      peerASN: 64513,
      peerAddress: '192.0.2.254',
      ...extra,
    },
  };
}

function secret(
  name: string,
  type: string | undefined,
  data: Record<string, string>,
  namespace = ns,
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type,
    data,
  };
}

function parse(peers: unknown[], secrets: unknown[]) {
  return parseMetalLBConfig({
    pools: [],
    l2Advertisements: [],
    bgpAdvertisements: [],
    peers,
    secrets,
  });
}

describe('BGPPeer passwordSecret', () => {
  it('reads the password of the basic-auth Secret in the MetalLB namespace', () => {
    const config = parse(
      [
        peer('by-secret', { passwordSecret: { name: 'bgp-auth' } }),
        peer('explicit-namespace', {
          passwordSecret: { name: 'bgp-auth', namespace: ns },
        }),
        peer('inline', { password: 'inline-secret' }),
        peer('none', {}),
      ],
      [
        secret('bgp-auth', 'kubernetes.io/basic-auth', {
          username: b64('ignored'),
          password: b64('s3cr3t-ünïcode'),
        }),
      ],
    );
    expect(config.problems).toEqual([]);
    const byName = new Map(config.peers.map(p => [p.name, p.password]));
    expect(Object.fromEntries(byName)).toEqual({
      'by-secret': 's3cr3t-ünïcode',
      'explicit-namespace': 's3cr3t-ünïcode',
      inline: 'inline-secret',
      none: undefined,
    });
    // The resource keeps the reference, as written.
    expect(config.peers[0].resource.spec.passwordSecret).toEqual({
      name: 'bgp-auth',
    });
  });

  it('works on Secrets trimmed by the cache', () => {
    const trimmed = trimSecret({
      metadata: { name: 'bgp-auth', namespace: ns, resourceVersion: '7' },
      type: 'kubernetes.io/basic-auth',
      data: { username: b64('u'), password: b64('pw') },
    });
    expect(trimmed).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bgp-auth', namespace: ns, resourceVersion: '7' },
      type: 'kubernetes.io/basic-auth',
      data: { password: b64('pw') },
    });
    const opaque = trimSecret({
      metadata: { name: 'other', namespace: ns },
      type: 'Opaque',
      data: { password: b64('not kept') },
    });
    expect(opaque.data).toBeUndefined();

    const config = parse(
      [peer('p', { passwordSecret: { name: 'bgp-auth' } })],
      [trimmed, opaque],
    );
    expect(config.peers.map(p => p.password)).toEqual(['pw']);
  });

  it('reports each unusable reference on its BGPPeer and leaves that peer out', () => {
    const config = parse(
      [
        peer('missing', { passwordSecret: { name: 'nope' } }),
        peer('opaque', { passwordSecret: { name: 'opaque' } }),
        peer('untyped', { passwordSecret: { name: 'untyped' } }),
        peer('no-key', { passwordSecret: { name: 'no-key' } }),
        peer('both', {
          password: 'inline',
          passwordSecret: { name: 'good' },
        }),
        peer('elsewhere', {
          passwordSecret: { name: 'good', namespace: 'kube-system' },
        }),
        peer('too-long', { passwordSecret: { name: 'long' } }),
        peer('binary', { passwordSecret: { name: 'binary' } }),
        peer('fine', { passwordSecret: { name: 'good' } }),
      ],
      [
        secret('opaque', 'Opaque', { password: b64('x') }),
        secret('untyped', undefined, { password: b64('x') }),
        secret('no-key', 'kubernetes.io/basic-auth', { username: b64('x') }),
        secret('good', 'kubernetes.io/basic-auth', { password: b64('ok') }),
        secret(
          'good',
          'kubernetes.io/basic-auth',
          { password: b64('x') },
          'kube-system',
        ),
        secret('long', 'kubernetes.io/basic-auth', {
          password: b64('x'.repeat(81)),
        }),
        secret('binary', 'kubernetes.io/basic-auth', {
          password: Buffer.from([0xff, 0xfe]).toString('base64'),
        }),
      ],
    );
    expect(config.peers.map(p => [p.name, p.password])).toEqual([
      ['fine', 'ok'],
    ]);
    const problems = Object.fromEntries(
      config.problems.map(p => [p.ref.name, p.message]),
    );
    expect(config.problems.every(p => p.ref.kind === 'BGPPeer')).toBe(true);
    expect(problems).toEqual({
      missing: expect.stringMatching(/Secret metallb-system\/nope not found/),
      opaque: expect.stringMatching(
        /is of type Opaque, not kubernetes.io\/basic-auth/,
      ),
      untyped: expect.stringMatching(/is of type Opaque/),
      'no-key': expect.stringMatching(/has no "password" key/),
      both: expect.stringMatching(/password and passwordSecret are both set/),
      elsewhere: expect.stringMatching(
        /only Secrets in the MetalLB namespace metallb-system are read/,
      ),
      'too-long': expect.stringMatching(/81 bytes; TCP-MD5 allows at most 80/),
      binary: expect.stringMatching(/not UTF-8 text/),
    });
    for (const message of Object.values(problems)) {
      expect(message).toMatch(/^invalid BGPPeer: /);
    }
  });

  it('does not let an advertisement naming an unusable peer widen to every peer', () => {
    const config = parseMetalLBConfig({
      pools: [],
      l2Advertisements: [],
      bgpAdvertisements: [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'BGPAdvertisement',
          metadata: { name: 'to-router', namespace: ns },
          spec: { peers: ['router'] },
        },
      ],
      peers: [peer('router', { passwordSecret: { name: 'absent' } })],
      secrets: [],
    });
    expect(config.peers).toEqual([]);
    expect(config.bgpAdvertisements).toEqual([
      expect.objectContaining({ allPeers: false, peers: [] }),
    ]);
  });

  it('takes an empty reference, as Go clients write an unset one, for no Secret', () => {
    const config = parse(
      [
        peer('empty-ref', { passwordSecret: {} }),
        peer('no-name', { passwordSecret: { namespace: ns } }),
      ],
      [],
    );
    expect(config.peers.map(p => [p.name, p.password])).toEqual([
      ['empty-ref', undefined],
    ]);
    expect(config.problems).toEqual([
      expect.objectContaining({
        ref: expect.objectContaining({ name: 'no-name' }),
        message: expect.stringMatching(/namespace but no name/),
      }),
    ]);
  });
});
