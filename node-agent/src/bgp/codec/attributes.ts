import { bytesToIpv4, bytesToIpv6, ipv4ToBytes, ipv6ToBytes } from './address';
import { Afi, AS_TRANS, AttrFlag, AttrType, UpdateSubcode } from './constants';
import { BgpError, updateError } from './errors';
import { decodePrefixes, encodePrefixes, Prefix } from './prefix';

export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;
export const AsPathSegmentType = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

export interface AsPathSegment {
  type: number;
  asns: number[];
}

export interface MpReach {
  afi: number;
  safi: number;
  /** One global next hop, or global then link-local for IPv6 (RFC 2545 §3). */
  nextHops: string[];
  nlri: Prefix[];
}

export interface MpUnreach {
  afi: number;
  safi: number;
  withdrawn: Prefix[];
}

export interface PathAttributes {
  origin?: number;
  asPath?: AsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  /** RFC 1997, `high:low`. */
  communities?: string[];
  /** RFC 8092, `global:local1:local2`. */
  largeCommunities?: string[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** Attributes this codec does not interpret, passed through as received. */
  unknown?: Array<{ flags: number; typeCode: number; value: Buffer }>;
}

export interface CodecContext {
  /** Both sides advertised the 4-octet AS capability (RFC 6793 §3). */
  fourOctetAs: boolean;
  /** The session is eBGP: a received LOCAL_PREF is discarded (RFC 7606 §7.5). */
  external?: boolean;
}

// ---------------------------------------------------------------- encoding

function attr(flags: number, typeCode: number, value: Buffer): Buffer {
  const ext = value.length > 255 || (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
  const head = Buffer.alloc(ext ? 4 : 3);
  head[0] =
    (flags & ~AttrFlag.EXTENDED_LENGTH) | (ext ? AttrFlag.EXTENDED_LENGTH : 0);
  head[1] = typeCode;
  if (ext) head.writeUInt16BE(value.length, 2);
  else head[2] = value.length;
  return Buffer.concat([head, value]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function encodeAsPathValue(segments: AsPathSegment[], four: boolean): Buffer {
  const size = four ? 4 : 2;
  const parts: Buffer[] = [];
  for (const seg of segments) {
    // RFC 4271 §5.1.2: a segment holds at most 255 ASes; split longer ones.
    for (let i = 0; i < seg.asns.length || i === 0; i += 255) {
      const chunk = seg.asns.slice(i, i + 255);
      const b = Buffer.alloc(2 + size * chunk.length);
      b[0] = seg.type;
      b[1] = chunk.length;
      chunk.forEach((asn, j) => {
        if (four) b.writeUInt32BE(asn, 2 + 4 * j);
        else b.writeUInt16BE(asn > 0xffff ? AS_TRANS : asn, 2 + 2 * j);
      });
      parts.push(b);
      if (seg.asns.length === 0) break;
    }
  }
  return Buffer.concat(parts);
}

export function parseCommunity(text: string): number {
  const named: Record<string, number> = {
    'no-export': 0xffffff01,
    'no-advertise': 0xffffff02,
    'no-export-subconfed': 0xffffff03,
    'no-peer': 0xffffff04,
  };
  if (named[text] !== undefined) return named[text];
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff) {
    throw new TypeError(`bad community ${text}`);
  }
  return ((Number(m[1]) << 16) | Number(m[2])) >>> 0;
}

export function parseLargeCommunity(text: string): [number, number, number] {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || parts.some(p => p > 0xffffffff)) {
    throw new TypeError(`bad large community ${text}`);
  }
  return parts as [number, number, number];
}

function encodeNextHops(afi: number, nextHops: string[]): Buffer {
  return Buffer.concat(
    nextHops.map(nh => (afi === Afi.IPV6 ? ipv6ToBytes(nh) : ipv4ToBytes(nh))),
  );
}

/** Encodes MP_REACH_NLRI (RFC 4760 §3), always with an extended length. */
export function encodeMpReach(mp: MpReach): Buffer {
  const nh = encodeNextHops(mp.afi, mp.nextHops);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(mp.afi);
  head[2] = mp.safi;
  head[3] = nh.length;
  return attr(
    AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH,
    AttrType.MP_REACH_NLRI,
    Buffer.concat([head, nh, Buffer.from([0]), encodePrefixes(mp.nlri)]),
  );
}

export function encodeMpUnreach(mp: MpUnreach): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt16BE(mp.afi);
  head[2] = mp.safi;
  return attr(
    AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH,
    AttrType.MP_UNREACH_NLRI,
    Buffer.concat([head, encodePrefixes(mp.withdrawn)]),
  );
}

/**
 * Encodes path attributes, MP_REACH/MP_UNREACH first (RFC 7606 §5.1), then by
 * type code. Without 4-octet AS on the session, ASNs above 65535 become
 * AS_TRANS and the real path goes in AS4_PATH (RFC 6793 §4.2.2).
 */
export function encodeAttributes(a: PathAttributes, ctx: CodecContext): Buffer {
  const out: Buffer[] = [];
  const T = AttrFlag.TRANSITIVE;
  const O = AttrFlag.OPTIONAL;
  if (a.mpReach) out.push(encodeMpReach(a.mpReach));
  if (a.mpUnreach) out.push(encodeMpUnreach(a.mpUnreach));
  if (a.origin !== undefined) {
    out.push(attr(T, AttrType.ORIGIN, Buffer.from([a.origin])));
  }
  if (a.asPath) {
    out.push(
      attr(T, AttrType.AS_PATH, encodeAsPathValue(a.asPath, ctx.fourOctetAs)),
    );
  }
  if (a.nextHop) out.push(attr(T, AttrType.NEXT_HOP, ipv4ToBytes(a.nextHop)));
  if (a.med !== undefined)
    out.push(attr(O, AttrType.MULTI_EXIT_DISC, u32(a.med)));
  if (a.localPref !== undefined) {
    out.push(attr(T, AttrType.LOCAL_PREF, u32(a.localPref)));
  }
  if (a.atomicAggregate) {
    out.push(attr(T, AttrType.ATOMIC_AGGREGATE, Buffer.alloc(0)));
  }
  if (a.aggregator) {
    const four = ctx.fourOctetAs;
    const v = Buffer.alloc(four ? 8 : 6);
    if (four) v.writeUInt32BE(a.aggregator.asn);
    else
      v.writeUInt16BE(a.aggregator.asn > 0xffff ? AS_TRANS : a.aggregator.asn);
    ipv4ToBytes(a.aggregator.address).copy(v, four ? 4 : 2);
    out.push(attr(O | T, AttrType.AGGREGATOR, v));
  }
  if (a.communities?.length) {
    out.push(
      attr(
        O | T,
        AttrType.COMMUNITIES,
        Buffer.concat(a.communities.map(c => u32(parseCommunity(c)))),
      ),
    );
  }
  if (
    !ctx.fourOctetAs &&
    a.asPath?.some(s => s.asns.some(asn => asn > 0xffff))
  ) {
    out.push(attr(O | T, AttrType.AS4_PATH, encodeAsPathValue(a.asPath, true)));
  }
  if (a.largeCommunities?.length) {
    out.push(
      attr(
        O | T,
        AttrType.LARGE_COMMUNITIES,
        Buffer.concat(
          a.largeCommunities.map(c =>
            Buffer.concat(parseLargeCommunity(c).map(u32)),
          ),
        ),
      ),
    );
  }
  for (const u of a.unknown ?? []) out.push(attr(u.flags, u.typeCode, u.value));
  return Buffer.concat(out);
}

// ---------------------------------------------------------------- decoding

/** What RFC 7606 says to do with a malformed attribute. */
type Verdict = 'treat-as-withdraw' | 'attribute-discard';

export interface DecodedAttributes {
  attributes: PathAttributes;
  /** Reasons the UPDATE's routes must be treated as withdrawn (RFC 7606 §2). */
  treatAsWithdraw: string[];
  /** Attributes dropped as malformed (RFC 7606 §2 "attribute discard"). */
  discarded: string[];
}

/** Flags each known attribute must carry (optional/transitive bits only). */
const EXPECTED_FLAGS: Record<number, number> = {
  [AttrType.ORIGIN]: AttrFlag.TRANSITIVE,
  [AttrType.AS_PATH]: AttrFlag.TRANSITIVE,
  [AttrType.NEXT_HOP]: AttrFlag.TRANSITIVE,
  [AttrType.MULTI_EXIT_DISC]: AttrFlag.OPTIONAL,
  [AttrType.LOCAL_PREF]: AttrFlag.TRANSITIVE,
  [AttrType.ATOMIC_AGGREGATE]: AttrFlag.TRANSITIVE,
  [AttrType.AGGREGATOR]: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  [AttrType.COMMUNITIES]: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  [AttrType.MP_REACH_NLRI]: AttrFlag.OPTIONAL,
  [AttrType.MP_UNREACH_NLRI]: AttrFlag.OPTIONAL,
  [AttrType.AS4_PATH]: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  [AttrType.AS4_AGGREGATOR]: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  [AttrType.LARGE_COMMUNITIES]: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
};

class Malformed extends Error {
  constructor(readonly verdict: Verdict, message: string) {
    super(message);
  }
}

function decodeAsPath(v: Buffer, size: 2 | 4): AsPathSegment[] {
  const segs: AsPathSegment[] = [];
  let i = 0;
  while (i < v.length) {
    const type = v[i];
    const count = v[i + 1];
    if (count === undefined || type < 1 || type > 4 || count === 0) {
      throw new Malformed('treat-as-withdraw', 'malformed AS_PATH segment');
    }
    if (i + 2 + count * size > v.length) {
      throw new Malformed('treat-as-withdraw', 'AS_PATH segment overruns');
    }
    const asns: number[] = [];
    for (let j = 0; j < count; j++) {
      const o = i + 2 + j * size;
      asns.push(size === 4 ? v.readUInt32BE(o) : v.readUInt16BE(o));
    }
    segs.push({ type, asns });
    i += 2 + count * size;
  }
  return segs;
}

/** RFC 6793 §4.2.3: rebuild the real path from AS_PATH and AS4_PATH. */
function mergeAs4Path(
  asPath: AsPathSegment[],
  as4: AsPathSegment[],
): AsPathSegment[] {
  const onlySequences = (p: AsPathSegment[]) =>
    p.every(s => s.type === AsPathSegmentType.AS_SEQUENCE);
  if (!onlySequences(asPath) || !onlySequences(as4)) return asPath;
  const flat = asPath.flatMap(s => s.asns);
  const flat4 = as4.flatMap(s => s.asns);
  if (flat.length < flat4.length) return asPath;
  return [
    {
      type: AsPathSegmentType.AS_SEQUENCE,
      asns: [...flat.slice(0, flat.length - flat4.length), ...flat4],
    },
  ];
}

function decodeMpReach(v: Buffer): MpReach {
  if (v.length < 5) throw new Error('MP_REACH_NLRI too short');
  const afi = v.readUInt16BE(0);
  const safi = v[2];
  const nhLen = v[3];
  if (5 + nhLen > v.length) throw new Error('MP_REACH_NLRI next hop overruns');
  const nh = v.subarray(4, 4 + nhLen);
  const nextHops: string[] = [];
  if (afi === Afi.IPV6) {
    if (nhLen !== 16 && nhLen !== 32)
      throw new Error(`IPv6 next hop length ${nhLen}`);
    nextHops.push(bytesToIpv6(nh.subarray(0, 16)));
    if (nhLen === 32) nextHops.push(bytesToIpv6(nh.subarray(16, 32)));
  } else if (afi === Afi.IPV4) {
    if (nhLen !== 4 && nhLen !== 16 && nhLen !== 32) {
      throw new Error(`IPv4 next hop length ${nhLen}`);
    }
    nextHops.push(
      nhLen === 4 ? bytesToIpv4(nh) : bytesToIpv6(nh.subarray(0, 16)),
    );
  }
  const nlriBuf = v.subarray(5 + nhLen);
  const nlri =
    afi === Afi.IPV4 || afi === Afi.IPV6
      ? decodePrefixes(nlriBuf, afi === Afi.IPV4 ? 'ipv4' : 'ipv6')
      : [];
  return { afi, safi, nextHops, nlri };
}

function decodeMpUnreach(v: Buffer): MpUnreach {
  if (v.length < 3) throw new Error('MP_UNREACH_NLRI too short');
  const afi = v.readUInt16BE(0);
  const safi = v[2];
  const withdrawn =
    afi === Afi.IPV4 || afi === Afi.IPV6
      ? decodePrefixes(v.subarray(3), afi === Afi.IPV4 ? 'ipv4' : 'ipv6')
      : [];
  return { afi, safi, withdrawn };
}

function formatCommunity(n: number): string {
  return `${n >>> 16}:${n & 0xffff}`;
}

/**
 * Decodes one attribute value into `out`. Throws Malformed with the RFC 7606
 * verdict for that attribute, or BgpError where the session must reset.
 */
function decodeOne(
  typeCode: number,
  flags: number,
  v: Buffer,
  ctx: CodecContext,
  out: PathAttributes,
  as4: { path?: AsPathSegment[] },
): void {
  const taw = (m: string) => new Malformed('treat-as-withdraw', m);
  const discard = (m: string) => new Malformed('attribute-discard', m);
  switch (typeCode) {
    case AttrType.ORIGIN:
      if (v.length !== 1 || v[0] > 2) throw taw('bad ORIGIN');
      out.origin = v[0];
      return;
    case AttrType.AS_PATH:
      out.asPath = decodeAsPath(v, ctx.fourOctetAs ? 4 : 2);
      return;
    case AttrType.NEXT_HOP:
      if (v.length !== 4) throw taw('bad NEXT_HOP length');
      out.nextHop = bytesToIpv4(v);
      return;
    case AttrType.MULTI_EXIT_DISC:
      if (v.length !== 4) throw taw('bad MULTI_EXIT_DISC length');
      out.med = v.readUInt32BE(0);
      return;
    case AttrType.LOCAL_PREF:
      if (ctx.external) throw discard('LOCAL_PREF from an external peer');
      if (v.length !== 4) throw taw('bad LOCAL_PREF length');
      out.localPref = v.readUInt32BE(0);
      return;
    case AttrType.ATOMIC_AGGREGATE:
      if (v.length !== 0) throw discard('bad ATOMIC_AGGREGATE length');
      out.atomicAggregate = true;
      return;
    case AttrType.AGGREGATOR: {
      const size = ctx.fourOctetAs ? 8 : 6;
      if (v.length !== size) throw discard('bad AGGREGATOR length');
      out.aggregator = ctx.fourOctetAs
        ? { asn: v.readUInt32BE(0), address: bytesToIpv4(v.subarray(4)) }
        : { asn: v.readUInt16BE(0), address: bytesToIpv4(v.subarray(2)) };
      return;
    }
    case AttrType.COMMUNITIES:
      if (v.length === 0 || v.length % 4 !== 0)
        throw taw('bad COMMUNITIES length');
      out.communities = [];
      for (let i = 0; i < v.length; i += 4) {
        out.communities.push(formatCommunity(v.readUInt32BE(i)));
      }
      return;
    case AttrType.LARGE_COMMUNITIES:
      // RFC 8092 §6: a length not a non-zero multiple of 12 is treat-as-withdraw.
      if (v.length === 0 || v.length % 12 !== 0) {
        throw taw('bad LARGE_COMMUNITIES length');
      }
      out.largeCommunities = [];
      for (let i = 0; i < v.length; i += 12) {
        out.largeCommunities.push(
          `${v.readUInt32BE(i)}:${v.readUInt32BE(i + 4)}:${v.readUInt32BE(
            i + 8,
          )}`,
        );
      }
      return;
    case AttrType.AS4_PATH:
      try {
        // RFC 6793 §6: a malformed AS4_PATH is discarded.
        if (!ctx.fourOctetAs) as4.path = decodeAsPath(v, 4);
      } catch {
        throw discard('malformed AS4_PATH');
      }
      return;
    case AttrType.AS4_AGGREGATOR:
      if (v.length !== 8) throw discard('bad AS4_AGGREGATOR length');
      return;
    case AttrType.MP_REACH_NLRI:
    case AttrType.MP_UNREACH_NLRI:
      // RFC 7606 §7.11 / RFC 4760 §7: session reset on a malformed MP attribute.
      try {
        if (typeCode === AttrType.MP_REACH_NLRI) out.mpReach = decodeMpReach(v);
        else out.mpUnreach = decodeMpUnreach(v);
      } catch (e) {
        if (e instanceof BgpError) throw e;
        throw updateError(
          UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR,
          (e as Error).message,
        );
      }
      return;
    default:
      if ((flags & AttrFlag.OPTIONAL) === 0) {
        // RFC 4271 §6.3: unrecognized well-known attribute.
        throw updateError(
          UpdateSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
          `unrecognized well-known attribute ${typeCode}`,
          Buffer.concat([Buffer.from([flags, typeCode, v.length]), v]),
        );
      }
      (out.unknown ??= []).push({ flags, typeCode, value: Buffer.from(v) });
  }
}

/**
 * Decodes the Path Attributes field of an UPDATE with RFC 7606 error handling.
 * Session-resetting errors are thrown as BgpError; the rest are reported in the
 * result so the caller can withdraw the routes and keep the session.
 */
export function decodeAttributes(
  buf: Buffer,
  ctx: CodecContext,
): DecodedAttributes {
  const attributes: PathAttributes = {};
  const treatAsWithdraw: string[] = [];
  const discarded: string[] = [];
  const seen = new Set<number>();
  const as4: { path?: AsPathSegment[] } = {};
  let i = 0;
  while (i < buf.length) {
    if (i + 3 > buf.length) {
      treatAsWithdraw.push('attribute header overruns the attribute field');
      break;
    }
    const flags = buf[i];
    const typeCode = buf[i + 1];
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    if (ext && i + 4 > buf.length) {
      treatAsWithdraw.push('attribute header overruns the attribute field');
      break;
    }
    const len = ext ? buf.readUInt16BE(i + 2) : buf[i + 2];
    const start = i + (ext ? 4 : 3);
    if (start + len > buf.length) {
      // RFC 7606 §4: the attribute length overruns the Total Attribute Length.
      if (
        typeCode === AttrType.MP_REACH_NLRI ||
        typeCode === AttrType.MP_UNREACH_NLRI
      ) {
        throw updateError(
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          'MP attribute overruns',
        );
      }
      treatAsWithdraw.push(
        `attribute ${typeCode} overruns the attribute field`,
      );
      break;
    }
    const v = buf.subarray(start, start + len);
    i = start + len;
    const isMp =
      typeCode === AttrType.MP_REACH_NLRI ||
      typeCode === AttrType.MP_UNREACH_NLRI;
    if (seen.has(typeCode)) {
      // RFC 7606 §3.g: repeated MP attributes reset, others keep the first.
      if (isMp) {
        throw updateError(
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          `attribute ${typeCode} repeated`,
        );
      }
      discarded.push(`repeated attribute ${typeCode}`);
      continue;
    }
    seen.add(typeCode);
    const expected = EXPECTED_FLAGS[typeCode];
    if (
      expected !== undefined &&
      (flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) !== expected
    ) {
      // RFC 7606 §3.c: flag conflicts are malformed attributes.
      if (isMp) {
        throw updateError(
          UpdateSubcode.ATTRIBUTE_FLAGS_ERROR,
          `bad flags on attribute ${typeCode}`,
        );
      }
      treatAsWithdraw.push(
        `bad flags 0x${flags.toString(16)} on attribute ${typeCode}`,
      );
      continue;
    }
    try {
      decodeOne(typeCode, flags, v, ctx, attributes, as4);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      (e.verdict === 'treat-as-withdraw' ? treatAsWithdraw : discarded).push(
        e.message,
      );
    }
  }
  if (as4.path && attributes.asPath) {
    attributes.asPath = mergeAs4Path(attributes.asPath, as4.path);
  }
  return { attributes, treatAsWithdraw, discarded };
}
