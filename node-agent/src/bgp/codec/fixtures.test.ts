import {
  BgpMessage,
  decodeMessage,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  encodeUpdate,
  isEndOfRib,
  UpdateMessage,
} from '.';
import { ROUTER_MESSAGES } from './fixtures/routers';

const ctx = { fourOctetAs: true, external: true };

function decode(hex: string): BgpMessage {
  const r = decodeMessage(Buffer.from(hex, 'hex'), ctx);
  if (!r.ok) throw r.error;
  return r.message;
}

function reencode(m: BgpMessage): Buffer {
  switch (m.type) {
    case 'open':
      return encodeOpen(m);
    case 'update':
      return encodeUpdate(m, ctx);
    case 'notification':
      return encodeNotification(m);
    default:
      return encodeKeepalive();
  }
}

const routers = [...new Set(ROUTER_MESSAGES.map(([r]) => r))];

describe('messages captured from real routers', () => {
  it('covers BIRD, GoBGP and FRR', () => {
    expect(routers.map(r => r.split(' ')[0])).toEqual(['BIRD', 'GoBGP', 'FRR']);
  });

  it.each(ROUTER_MESSAGES)('%s %s: %#', (_router, _family, hex) => {
    const m = decode(hex);
    // Our encoding may order or size fields differently; what it means must not change.
    expect(decode(reencode(m).toString('hex'))).toEqual(m);
  });

  describe.each(routers)('%s', router => {
    const of = (family: string) =>
      ROUTER_MESSAGES.filter(([r, f]) => r === router && f === family).map(
        ([, , h]) => decode(h),
      );

    it.each(['IPv4', 'IPv6'])(
      '%s session: OPEN, the tagged route, keepalives',
      family => {
        const msgs = of(family);
        const open = msgs.find(m => m.type === 'open');
        expect(open).toMatchObject({
          asn: 65000,
          holdTime: 9,
          routerId: '192.0.2.1',
        });
        expect(msgs.some(m => m.type === 'keepalive')).toBe(true);
        const route = msgs.find(
          (m): m is UpdateMessage => m.type === 'update' && !isEndOfRib(m),
        )!;
        expect(route.attributes).toMatchObject({
          asPath: [{ type: 2, asns: [65000] }],
          communities: ['65000:42'],
          largeCommunities: ['65000:1:42'],
        });
        const reach =
          family === 'IPv4'
            ? { nlri: route.nlri, nextHops: [route.attributes.nextHop] }
            : {
                nlri: route.attributes.mpReach?.nlri,
                nextHops: route.attributes.mpReach?.nextHops,
              };
        expect(reach).toEqual(
          family === 'IPv4'
            ? { nlri: ['198.51.100.0/24'], nextHops: ['192.0.2.1'] }
            : { nlri: ['2001:db8:ff::/48'], nextHops: ['2001:db8::1'] },
        );
      },
    );
  });

  it('reads the Cease each router sends when it shuts down', () => {
    const ceases = ROUTER_MESSAGES.map(([r, , h]) => [r, decode(h)] as const)
      .filter(([, m]) => m.type === 'notification')
      .map(
        ([r, m]) =>
          m.type === 'notification' && [r.split(' ')[0], m.code, m.subcode],
      );
    // BIRD: Administrative Shutdown; GoBGP: Peer De-configured (RFC 4486).
    expect(new Set(ceases.map(c => JSON.stringify(c)))).toEqual(
      new Set([
        JSON.stringify(['BIRD', 6, 2]),
        JSON.stringify(['GoBGP', 6, 3]),
      ]),
    );
  });

  it('recognises BIRD and FRR End-of-RIB markers for both families', () => {
    const eor = ROUTER_MESSAGES.filter(([r]) => !r.startsWith('GoBGP'))
      .map(([r, f, h]) => [r, f, decode(h)] as const)
      .filter(([, , m]) => m.type === 'update' && isEndOfRib(m))
      .map(([r, f]) => `${r.split(' ')[0]} ${f}`);
    expect(eor.sort()).toEqual([
      'BIRD IPv4',
      'BIRD IPv6',
      'FRR IPv4',
      'FRR IPv6',
    ]);
  });
});
