import fc from 'fast-check';
import {
  ARP_REQUEST_FROM_ARPING,
  DAD_NS_FROM_LINUX,
  NA_FROM_LINUX,
  NS_FROM_NDISC6,
  ROUTER_SOLICITATION,
} from './captures';
import {
  arpProbe,
  arpReply,
  decodeFrame,
  gratuitousArp,
  neighborAdvertisement,
  neighborSolicitationProbe,
  unsolicitedNeighborAdvertisement,
} from './frame';
import { ipv6MulticastMac, solicitedNodeAddress } from './ip';

const OURS = '02:00:00:00:00:0a';

describe('frames', () => {
  it('answers the captured arping request the way the Linux kernel did', () => {
    const request = decodeFrame(ARP_REQUEST_FROM_ARPING);
    if (!request.ok || request.value.kind !== 'arp') throw new Error('not arp');
    const reply = arpReply('5e:9a:42:48:b7:81', '192.0.2.1', request.value.arp);
    // The kernel's reply (captures.ts ARP_REPLY_FROM_LINUX), padded to 60 bytes.
    expect(reply.toString('hex')).toBe(
      'f6eb220382a35e9a4248b781080600010800060400025e9a4248b781c0000201f6eb220382a3c0000202'.padEnd(
        120,
        '0',
      ),
    );
  });

  it('answers the captured ndisc6 solicitation the way the Linux kernel did', () => {
    const ns = decodeFrame(NS_FROM_NDISC6);
    if (!ns.ok || ns.value.kind !== 'ndp') throw new Error('not ndp');
    const na = neighborAdvertisement(
      '5e:9a:42:48:b7:81',
      '2001:db8::1',
      ns.value,
    );
    expect(na.equals(NA_FROM_LINUX)).toBe(true);
  });

  it('answers a DAD probe to all-nodes without the solicited flag', () => {
    const dad = decodeFrame(DAD_NS_FROM_LINUX);
    if (!dad.ok || dad.value.kind !== 'ndp') throw new Error('not ndp');
    const na = decodeFrame(
      neighborAdvertisement(OURS, 'fe80::f4eb:22ff:fe03:82a3', dad.value),
    );
    expect(na).toMatchObject({
      ok: true,
      value: {
        ipDestination: 'ff02::1',
        ndp: {
          type: 'neighbor-advertisement',
          solicited: false,
          override: true,
        },
      },
    });
  });

  it('builds gratuitous ARP as request and reply, both decodable', () => {
    const frames = gratuitousArp(OURS, '192.0.2.10').map(decodeFrame);
    expect(frames).toEqual([
      {
        ok: true,
        value: {
          kind: 'arp',
          sourceMac: OURS,
          arp: {
            operation: 'request',
            senderMac: OURS,
            senderIp: '192.0.2.10',
            targetMac: '00:00:00:00:00:00',
            targetIp: '192.0.2.10',
          },
        },
      },
      {
        ok: true,
        value: {
          kind: 'arp',
          sourceMac: OURS,
          arp: {
            operation: 'reply',
            senderMac: OURS,
            senderIp: '192.0.2.10',
            targetMac: 'ff:ff:ff:ff:ff:ff',
            targetIp: '192.0.2.10',
          },
        },
      },
    ]);
  });

  it('builds an RFC 5227 probe like arping -0 does', () => {
    const probe = decodeFrame(arpProbe(OURS, '192.0.2.1'));
    expect(probe).toMatchObject({
      ok: true,
      value: {
        arp: {
          operation: 'request',
          senderIp: '0.0.0.0',
          targetIp: '192.0.2.1',
        },
      },
    });
  });

  it('builds the unsolicited NA and the DAD probe to the right groups', () => {
    const na = decodeFrame(
      unsolicitedNeighborAdvertisement(OURS, '2001:db8::10'),
    );
    expect(na).toEqual({
      ok: true,
      value: {
        kind: 'ndp',
        sourceMac: OURS,
        ipSource: '2001:db8::10',
        ipDestination: 'ff02::1',
        ndp: {
          type: 'neighbor-advertisement',
          router: false,
          solicited: false,
          override: true,
          target: '2001:db8::10',
          options: [{ kind: 'target-link-layer-address', mac: OURS }],
        },
      },
    });
    const probe = neighborSolicitationProbe(OURS, '2001:db8::1:10');
    expect(probe.subarray(0, 6).toString('hex')).toBe('3333ff010010');
    expect(decodeFrame(probe)).toMatchObject({
      ok: true,
      value: {
        ipSource: '::',
        ipDestination: 'ff02::1:ff01:10',
        ndp: {
          type: 'neighbor-solicitation',
          target: '2001:db8::1:10',
          options: [],
        },
      },
    });
  });

  it('computes solicited-node groups (RFC 4291 §2.7.1) and their MACs (RFC 2464 §7)', () => {
    expect(solicitedNodeAddress('2001:db8::abcd:1234')).toBe(
      'ff02::1:ffcd:1234',
    );
    expect(ipv6MulticastMac('ff02::1:ffcd:1234')).toBe('33:33:ff:cd:12:34');
  });

  it('reports frames it does not handle instead of throwing', () => {
    expect(decodeFrame(ROUTER_SOLICITATION)).toMatchObject({ ok: false });
    expect(decodeFrame(Buffer.alloc(3))).toMatchObject({ ok: false });
    const truncated = NS_FROM_NDISC6.subarray(0, 60);
    expect(decodeFrame(truncated)).toMatchObject({ ok: false });
  });
});

describe('decodeFrame on arbitrary input', () => {
  it('never throws, whatever the bytes after a plausible header', () => {
    const header = (etherType: number) => {
      const out = Buffer.alloc(14, 0xff);
      out.writeUInt16BE(etherType, 12);
      return out;
    };
    fc.assert(
      fc.property(
        fc.constantFrom(0x0806, 0x86dd, 0x0800),
        fc.uint8Array({ maxLength: 120 }),
        (etherType, body) => {
          const result = decodeFrame(
            Buffer.concat([header(etherType), Buffer.from(body)]),
          );
          expect(typeof result.ok).toBe('boolean');
        },
      ),
    );
  });

  it('never throws on mutations of captured frames', () => {
    const captured = [
      ARP_REQUEST_FROM_ARPING,
      NS_FROM_NDISC6,
      NA_FROM_LINUX,
      DAD_NS_FROM_LINUX,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...captured),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(),
        (frame, position, value, cut) => {
          const mutated = Buffer.from(frame);
          mutated[position % mutated.length] = value;
          const result = decodeFrame(
            mutated.subarray(0, 14 + (cut % (mutated.length - 13))),
          );
          expect(typeof result.ok).toBe('boolean');
        },
      ),
    );
  });
});
