import fc from 'fast-check';
import { DAD_NS_FROM_LINUX, NA_FROM_LINUX, NS_FROM_NDISC6 } from './captures';
import { parseAddress } from './ip';
import { decodeIpv6 } from './ipv6';
import { decodeNdp, encodeNdp, NdpMessage } from './ndp';

function icmpOf(frame: Buffer) {
  const ip = decodeIpv6(frame.subarray(14));
  if (!ip.ok) throw new Error(ip.reason);
  return ip.value;
}

describe('NDP codec', () => {
  it('decodes the NS sent by ndisc6 with its source link-layer option', () => {
    const ip = icmpOf(NS_FROM_NDISC6);
    expect(ip.source).toBe('fe80::f4eb:22ff:fe03:82a3');
    expect(ip.destination).toBe('ff02::1:ff00:1');
    expect(decodeNdp(ip.payload, ip)).toEqual({
      ok: true,
      value: {
        type: 'neighbor-solicitation',
        target: '2001:db8::1',
        options: [
          { kind: 'source-link-layer-address', mac: 'f6:eb:22:03:82:a3' },
        ],
      },
    });
  });

  it('decodes the Linux NA flags and target link-layer option', () => {
    const ip = icmpOf(NA_FROM_LINUX);
    expect(decodeNdp(ip.payload, ip)).toEqual({
      ok: true,
      value: {
        type: 'neighbor-advertisement',
        router: false,
        solicited: true,
        override: true,
        target: '2001:db8::1',
        options: [
          { kind: 'target-link-layer-address', mac: '5e:9a:42:48:b7:81' },
        ],
      },
    });
  });

  it('keeps unknown options such as the DAD nonce and round-trips them', () => {
    const ip = icmpOf(DAD_NS_FROM_LINUX);
    const decoded = decodeNdp(ip.payload, ip);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.value.options).toEqual([
      { kind: 'other', type: 14, data: Buffer.from('42ec74f3c729', 'hex') },
    ]);
    expect(encodeNdp(decoded.value, ip).equals(ip.payload)).toBe(true);
  });

  it('re-encodes captured messages with the same checksum', () => {
    for (const frame of [NS_FROM_NDISC6, NA_FROM_LINUX]) {
      const ip = icmpOf(frame);
      const decoded = decodeNdp(ip.payload, ip);
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(encodeNdp(decoded.value, ip).toString('hex')).toBe(
        ip.payload.toString('hex'),
      );
    }
  });

  it('rejects a flipped bit, a forwarded packet and a zero-length option', () => {
    const ip = icmpOf(NS_FROM_NDISC6);
    const flipped = Buffer.from(ip.payload);
    flipped[23] ^= 0x01; // last byte of the target address
    expect(decodeNdp(flipped, ip)).toEqual({
      ok: false,
      reason: 'bad icmpv6 checksum',
    });
    expect(decodeNdp(ip.payload, { ...ip, hopLimit: 64 })).toMatchObject({
      ok: false,
    });
    const zeroOption = encodeNdp(
      {
        type: 'neighbor-solicitation',
        target: '2001:db8::1',
        options: [{ kind: 'other', type: 1, data: Buffer.alloc(6) }],
      },
      ip,
    );
    zeroOption[25] = 0; // option length field
    expect(decodeNdp(zeroOption, ip)).toMatchObject({ ok: false });
  });

  it('round-trips any NA it encodes', () => {
    const v6 = fc
      .uint8Array({ minLength: 16, maxLength: 16 })
      .filter(bytes => bytes[0] !== 0xff)
      .map(bytes =>
        Buffer.from(bytes).toString('hex').match(/.{4}/g)!.join(':'),
      );
    const mac = fc
      .uint8Array({ minLength: 6, maxLength: 6 })
      .map(bytes =>
        Array.from(bytes, b => b.toString(16).padStart(2, '0')).join(':'),
      );
    fc.assert(
      fc.property(
        v6,
        mac,
        fc.boolean(),
        fc.boolean(),
        (target, lla, solicited, router) => {
          const ip = {
            source: '2001:db8::1',
            destination: 'ff02::1',
            hopLimit: 255,
          };
          const message: NdpMessage = {
            type: 'neighbor-advertisement',
            router,
            solicited,
            override: true,
            target: parseAddress(target)!.address,
            options: [{ kind: 'target-link-layer-address', mac: lla }],
          };
          expect(decodeNdp(encodeNdp(message, ip), ip)).toEqual({
            ok: true,
            value: message,
          });
        },
      ),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), bytes => {
        const result = decodeNdp(Buffer.from(bytes), {
          source: '::',
          destination: 'ff02::1',
          hopLimit: 255,
        });
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
