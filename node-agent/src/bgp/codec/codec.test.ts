import {
  AttrFlag,
  AttrType,
  CapabilityCode,
  decodeMessage,
  decodePrefixes,
  encodeEndOfRib,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  encodeRouteRefresh,
  encodeUpdate,
  isEndOfRib,
  MessageSplitter,
  OpenMessage,
  packAnnouncements,
  packWithdrawals,
  UpdateMessage,
} from '.';

const four = { fourOctetAs: true };

function decodeOk(buf: Buffer, ctx = four) {
  const r = decodeMessage(buf, ctx);
  if (!r.ok) throw r.error;
  return r.message;
}

describe('round trips', () => {
  it('OPEN with every capability the speaker uses', () => {
    const open: Omit<OpenMessage, 'type'> = {
      version: 4,
      asn: 4200000001,
      holdTime: 90,
      routerId: '192.0.2.1',
      capabilities: [
        { code: CapabilityCode.MULTIPROTOCOL, afi: 1, safi: 1 },
        { code: CapabilityCode.MULTIPROTOCOL, afi: 2, safi: 1 },
        { code: CapabilityCode.ROUTE_REFRESH },
        { code: CapabilityCode.ENHANCED_ROUTE_REFRESH },
        {
          code: CapabilityCode.GRACEFUL_RESTART,
          restartState: true,
          restartTime: 120,
          families: [{ afi: 1, safi: 1, forwardingState: false }],
        },
        { code: CapabilityCode.FOUR_OCTET_AS, asn: 4200000001 },
        { code: 73, raw: Buffer.from('host') },
      ],
    };
    const buf = encodeOpen(open);
    // The 2-octet AS field carries AS_TRANS for a 4-octet AS (RFC 6793 §4.2.1).
    expect(buf.readUInt16BE(20)).toBe(23456);
    expect(decodeOk(buf)).toEqual({ type: 'open', ...open });
  });

  it('UPDATE with every attribute, IPv4 NLRI and IPv6 MP_REACH', () => {
    const msg: Omit<UpdateMessage, 'type'> = {
      withdrawn: ['198.51.100.0/24'],
      attributes: {
        mpReach: {
          afi: 2,
          safi: 1,
          nextHops: ['2001:db8::1', 'fe80::1'],
          nlri: ['2001:db8:1::/48', '2001:db8::5/128'],
        },
        origin: 0,
        asPath: [
          { type: 2, asns: [64512, 4200000001] },
          { type: 1, asns: [65001, 65002] },
        ],
        nextHop: '192.0.2.1',
        med: 10,
        localPref: 200,
        atomicAggregate: true,
        aggregator: { asn: 64512, address: '192.0.2.9' },
        communities: ['65000:100', '65535:65281'],
        largeCommunities: ['4200000001:1:2'],
        unknown: [
          {
            flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
            typeCode: 99,
            value: Buffer.from([1, 2]),
          },
        ],
      },
      nlri: ['203.0.113.7/32', '198.18.0.0/15', '0.0.0.0/0'],
    };
    expect(decodeOk(encodeUpdate(msg, four))).toEqual({
      type: 'update',
      ...msg,
    });
  });

  it('UPDATE withdrawing IPv6 through MP_UNREACH', () => {
    const msg = {
      withdrawn: [],
      attributes: {
        mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] },
      },
      nlri: [],
    };
    expect(decodeOk(encodeUpdate(msg, four))).toEqual({
      type: 'update',
      ...msg,
    });
  });

  it('AS_PATH with 4-octet ASNs over a 2-octet session goes through AS4_PATH', () => {
    const two = { fourOctetAs: false };
    const attributes = {
      origin: 0,
      asPath: [{ type: 2, asns: [64512, 4200000001] }],
      nextHop: '192.0.2.1',
    };
    const buf = encodeUpdate(
      { withdrawn: [], attributes, nlri: ['192.0.2.0/24'] },
      two,
    );
    expect(buf.includes(Buffer.from([0x5b, 0xa0]))).toBe(true); // AS_TRANS on the wire
    const msg = decodeOk(buf, two) as UpdateMessage;
    expect(msg.attributes.asPath).toEqual(attributes.asPath);
  });

  it('NOTIFICATION, KEEPALIVE, ROUTE-REFRESH', () => {
    expect(
      decodeOk(
        encodeNotification({ code: 6, subcode: 2, data: Buffer.from([0]) }),
      ),
    ).toEqual({
      type: 'notification',
      code: 6,
      subcode: 2,
      data: Buffer.from([0]),
    });
    expect(decodeOk(encodeKeepalive())).toEqual({ type: 'keepalive' });
    expect(decodeOk(encodeRouteRefresh({ afi: 2, safi: 1 }))).toEqual({
      type: 'route-refresh',
      afi: 2,
      subtype: 0,
      safi: 1,
    });
  });

  it('End-of-RIB markers for both families', () => {
    for (const afi of [1, 2]) {
      expect(
        isEndOfRib(decodeOk(encodeEndOfRib(afi, four)) as UpdateMessage),
      ).toBe(true);
    }
  });
});

describe('packing', () => {
  const attrs = {
    origin: 0,
    asPath: [{ type: 2, asns: [64512] }],
    nextHop: '192.0.2.1',
    communities: ['65000:1'],
  };
  const v4 = Array.from(
    { length: 3000 },
    (_, i) => `198.18.${i >> 8}.${i & 255}/32`,
  );
  const v6 = Array.from(
    { length: 1000 },
    (_, i) => `2001:db8::${(i + 1).toString(16)}/128`,
  );

  it('puts many NLRI in each UPDATE, never over 4096 octets, losing none', () => {
    const msgs = packAnnouncements('ipv4', v4, attrs, four);
    // 3000 × 5 octets over ~4040 usable octets per message: 4 UPDATEs, not 3000.
    expect(msgs.length).toBe(4);
    const got = msgs.flatMap(m => {
      expect(m.length).toBeLessThanOrEqual(4096);
      return (decodeOk(m) as UpdateMessage).nlri;
    });
    expect(got).toEqual(v4);
  });

  it('packs IPv6 into MP_REACH and withdrawals into MP_UNREACH', () => {
    const msgs = packAnnouncements('ipv6', v6, attrs, four, ['2001:db8::1']);
    const got = msgs.flatMap(m => {
      expect(m.length).toBeLessThanOrEqual(4096);
      const u = decodeOk(m) as UpdateMessage;
      expect(u.attributes.nextHop).toBeUndefined();
      expect(u.attributes.mpReach?.nextHops).toEqual(['2001:db8::1']);
      return u.attributes.mpReach!.nlri;
    });
    expect(got).toEqual(v6);
    const w = packWithdrawals('ipv6', v6, four).flatMap(
      m => (decodeOk(m) as UpdateMessage).attributes.mpUnreach!.withdrawn,
    );
    expect(w).toEqual(v6);
    const w4 = packWithdrawals('ipv4', v4, four).flatMap(
      m => (decodeOk(m) as UpdateMessage).withdrawn,
    );
    expect(w4).toEqual(v4);
  });
});

describe('stream framing', () => {
  it('reassembles messages split at every byte and glued together', () => {
    const stream = Buffer.concat([
      encodeKeepalive(),
      encodeRouteRefresh({ afi: 1, safi: 1 }),
      encodeKeepalive(),
    ]);
    const s = new MessageSplitter();
    const out: Buffer[] = [];
    for (const b of stream) out.push(...s.push(Buffer.from([b])));
    expect(out.map(m => m[18])).toEqual([4, 5, 4]);
    expect(s.buffered).toBe(0);
  });

  it('masks host bits a peer leaves set in NLRI', () => {
    expect(decodePrefixes(Buffer.from([20, 198, 51, 100]), 'ipv4')).toEqual([
      '198.51.96.0/20',
    ]);
  });
});

/** Builds a message from a type and raw body bytes, fixing the header length. */
function raw(type: number, body: number[]): Buffer {
  const b = Buffer.alloc(19 + body.length, 0xff);
  b.writeUInt16BE(19 + body.length, 16);
  b[18] = type;
  Buffer.from(body).copy(b, 19);
  return b;
}
/** UPDATE body: no withdrawn, the given attributes, the given NLRI bytes. */
function update(attrs: number[], nlri: number[] = [24, 192, 0, 2]): Buffer {
  return raw(2, [
    0,
    0,
    attrs.length >> 8,
    attrs.length & 255,
    ...attrs,
    ...nlri,
  ]);
}
const ORIGIN = [0x40, 1, 1, 0]; // well-known transitive, IGP
const AS_PATH = [0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe8]; // AS_SEQUENCE [65000]
const NEXT_HOP = [0x40, 3, 4, 192, 0, 2, 1];
const GOOD = [...ORIGIN, ...AS_PATH, ...NEXT_HOP];

describe('malformed messages: session reset with the RFC code/subcode', () => {
  const open = (body: number[]) => raw(1, body);
  const cases: Array<[string, Buffer, number, number]> = [
    [
      'marker not all ones',
      Buffer.from([...Array(15).fill(0xff), 0, 0, 19, 4]),
      1,
      1,
    ],
    ['length below 19', Buffer.from([...Array(16).fill(0xff), 0, 18, 4]), 1, 2],
    [
      'length above 4096',
      Buffer.from([...Array(16).fill(0xff), 0x10, 1, 4]),
      1,
      2,
    ],
    ['unknown type 6', raw(6, []), 1, 3],
    ['KEEPALIVE with a body', raw(4, [0]), 1, 2],
    ['OPEN shorter than 29', open([4, 0xfd, 0xe8, 0, 90]), 1, 2],
    // version 3, AS 65000, hold 90, id 192.0.2.1, no params
    ['OPEN version 3', open([3, 0xfd, 0xe8, 0, 90, 192, 0, 2, 1, 0]), 2, 1],
    ['OPEN hold time 2', open([4, 0xfd, 0xe8, 0, 2, 192, 0, 2, 1, 0]), 2, 6],
    [
      'OPEN identifier 0.0.0.0',
      open([4, 0xfd, 0xe8, 0, 90, 0, 0, 0, 0, 0]),
      2,
      3,
    ],
    // optional parameter type 1 (authentication, deprecated)
    [
      'OPEN unknown optional parameter',
      open([4, 0xfd, 0xe8, 0, 90, 192, 0, 2, 1, 3, 1, 1, 0]),
      2,
      4,
    ],
    // capability parameter claims 10 octets, 2 present
    [
      'OPEN capability overruns',
      open([4, 0xfd, 0xe8, 0, 90, 192, 0, 2, 1, 4, 2, 10, 65, 4]),
      2,
      0,
    ],
    ['NOTIFICATION of 20 octets', raw(3, [6]), 1, 2],
    ['ROUTE-REFRESH of 24 octets', raw(5, [0, 1, 0, 1, 0]), 7, 1],
    // withdrawn routes length 10, message ends after 2
    ['UPDATE withdrawn length overruns', raw(2, [0, 10, 0, 0]), 3, 1],
    // total path attribute length 200 in a short message
    ['UPDATE attribute length overruns', raw(2, [0, 0, 0, 200, 0x40]), 3, 1],
    // NLRI /33 for IPv4 (RFC 7606 §5.3)
    ['UPDATE NLRI /33', update(GOOD, [33, 1, 2, 3, 4, 5]), 3, 10],
    ['UPDATE NLRI overruns', update(GOOD, [24, 192, 0]), 3, 10],
    // MP_REACH AFI 2 with next hop length 5
    [
      'MP_REACH with a 5-octet IPv6 next hop',
      update([...GOOD, 0x80, 14, 10, 0, 2, 1, 5, 1, 2, 3, 4, 5, 0]),
      3,
      9,
    ],
    [
      'MP_REACH repeated',
      update([
        ...GOOD,
        ...[0x80, 14, 9, 0, 1, 1, 4, 192, 0, 2, 1, 0],
        ...[0x80, 14, 9, 0, 1, 1, 4, 192, 0, 2, 1, 0],
      ]),
      3,
      1,
    ],
    // MP_UNREACH marked transitive
    [
      'MP_UNREACH with bad flags',
      update([...GOOD, 0xc0, 15, 3, 0, 2, 1]),
      3,
      4,
    ],
    // well-known (not optional) attribute type 200
    [
      'unrecognized well-known attribute',
      update([...GOOD, 0x40, 200, 0]),
      3,
      2,
    ],
  ];
  it.each(cases)('%s → NOTIFICATION %i/%i', (_name, buf, code, subcode) => {
    const r = decodeMessage(buf, four);
    const got = r.ok ? 'decoded' : [r.error.code, r.error.subcode];
    expect(got).toEqual([code, subcode]);
  });
});

describe('malformed attributes: RFC 7606 treat-as-withdraw and discard', () => {
  const taw: Array<[string, number[]]> = [
    ['ORIGIN value 3', [0x40, 1, 1, 3, ...AS_PATH, ...NEXT_HOP]],
    ['ORIGIN length 2', [0x40, 1, 2, 0, 0, ...AS_PATH, ...NEXT_HOP]],
    ['ORIGIN flagged optional', [0xc0, 1, 1, 0, ...AS_PATH, ...NEXT_HOP]],
    [
      'AS_PATH segment type 9',
      [...ORIGIN, 0x40, 2, 6, 9, 1, 0, 0, 0xfd, 0xe8, ...NEXT_HOP],
    ],
    [
      'AS_PATH segment overruns',
      [...ORIGIN, 0x40, 2, 6, 2, 2, 0, 0, 0xfd, 0xe8, ...NEXT_HOP],
    ],
    ['NEXT_HOP length 3', [...ORIGIN, ...AS_PATH, 0x40, 3, 3, 192, 0, 2]],
    ['missing NEXT_HOP', [...ORIGIN, ...AS_PATH]],
    ['missing ORIGIN', [...AS_PATH, ...NEXT_HOP]],
    ['COMMUNITIES length 3', [...GOOD, 0xc0, 8, 3, 1, 2, 3]],
    [
      'LARGE_COMMUNITIES length 8',
      [...GOOD, 0xc0, 32, 8, 0, 0, 0, 1, 0, 0, 0, 2],
    ],
    ['MULTI_EXIT_DISC length 2', [...GOOD, 0x80, 4, 2, 0, 1]],
    ['LOCAL_PREF length 1', [...GOOD, 0x40, 5, 1, 100]],
    // last attribute claims 9 octets, 2 remain in the attribute field
    ['attribute overruns the attribute field', [...GOOD, 0xc0, 8, 9, 1, 2]],
  ];
  it.each(taw)('%s → routes withdrawn, session kept', (_name, attrs) => {
    const r = decodeMessage(update(attrs), four);
    expect(r.ok).toBe(true);
    const m = r.ok ? (r.message as UpdateMessage) : undefined;
    expect(m?.treatAsWithdraw?.length).toBeGreaterThan(0);
    expect(m?.nlri).toEqual([]);
    expect(m?.withdrawn).toEqual(['192.0.2.0/24']);
  });

  it('moves MP_REACH prefixes of a bad UPDATE into MP_UNREACH', () => {
    // MP_REACH 2001:db8::/32 next hop 2001:db8::1 with a 3-octet COMMUNITIES
    const nh = [0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 1];
    const mp = [0x80, 14, 26, 0, 2, 1, 16, ...nh, 0, 32, 0x20, 1, 0x0d, 0xb8];
    const attrs = [...mp, ...ORIGIN, ...AS_PATH, 0xc0, 8, 3, 1, 2, 3];
    const r = decodeMessage(update(attrs, []), four);
    expect(r.ok && (r.message as UpdateMessage).attributes).toEqual({
      origin: 0,
      asPath: [{ type: 2, asns: [65000] }],
      mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] },
    });
  });

  const discard: Array<[string, number[], string]> = [
    ['ATOMIC_AGGREGATE length 1', [...GOOD, 0x40, 6, 1, 0], 'atomicAggregate'],
    ['AGGREGATOR length 5', [...GOOD, 0xc0, 7, 5, 0, 1, 2, 3, 4], 'aggregator'],
    [
      'LOCAL_PREF from an eBGP peer',
      [...GOOD, 0x40, 5, 4, 0, 0, 0, 100],
      'localPref',
    ],
    ['repeated ORIGIN', [...GOOD, 0x40, 1, 1, 2], 'none'],
  ];
  it.each(discard)(
    '%s → attribute dropped, route kept',
    (_name, attrs, key) => {
      const r = decodeMessage(update(attrs), {
        fourOctetAs: true,
        external: true,
      });
      const m = r.ok ? (r.message as UpdateMessage) : undefined;
      expect(m?.treatAsWithdraw).toBeUndefined();
      expect(m?.discarded?.length).toBe(1);
      expect(m?.nlri).toEqual(['192.0.2.0/24']);
      expect(m?.attributes.origin).toBe(0);
      expect(key in (m?.attributes ?? {})).toBe(false);
    },
  );

  it('keeps an unknown optional transitive attribute for pass-through', () => {
    const r = decodeMessage(update([...GOOD, 0xc0, 250, 1, 7]), four);
    expect(r.ok && (r.message as UpdateMessage).attributes.unknown).toEqual([
      { flags: 0xc0, typeCode: 250, value: Buffer.from([7]) },
    ]);
  });

  it('reads extended-length attributes', () => {
    const r = decodeMessage(
      update([...GOOD, 0xd0, AttrType.COMMUNITIES, 0, 4, 0xfd, 0xe8, 0, 1]),
      four,
    );
    expect(r.ok && (r.message as UpdateMessage).attributes.communities).toEqual(
      ['65000:1'],
    );
  });
});
