import {
  CodecContext,
  decodeAttributes,
  encodeAttributes,
  PathAttributes,
} from './attributes';
import {
  Afi,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  Safi,
  UpdateSubcode,
} from './constants';
import { guardDecode, updateError } from './errors';
import { frame } from './header';
import {
  decodePrefixes,
  encodedPrefixLength,
  encodePrefixes,
  Prefix,
} from './prefix';

export interface UpdateMessage {
  type: 'update';
  /** IPv4 withdrawn routes field (IPv6 withdrawals ride in MP_UNREACH_NLRI). */
  withdrawn: Prefix[];
  attributes: PathAttributes;
  /** IPv4 NLRI field (IPv6 NLRI ride in MP_REACH_NLRI). */
  nlri: Prefix[];
  /**
   * RFC 7606 treat-as-withdraw: when non-empty, the decoder has already moved
   * every announced prefix into `withdrawn` / `mpUnreach`.
   */
  treatAsWithdraw?: string[];
  /** Attributes dropped as malformed (RFC 7606 attribute discard). */
  discarded?: string[];
}

/** RFC 4271 §4.3. Throws RangeError if the result would exceed 4096 octets. */
export function encodeUpdate(
  msg: Omit<UpdateMessage, 'type'>,
  ctx: CodecContext,
): Buffer {
  const withdrawn = encodePrefixes(msg.withdrawn);
  const attrs = encodeAttributes(msg.attributes, ctx);
  const nlri = encodePrefixes(msg.nlri);
  const body = Buffer.alloc(4 + withdrawn.length + attrs.length + nlri.length);
  body.writeUInt16BE(withdrawn.length, 0);
  withdrawn.copy(body, 2);
  body.writeUInt16BE(attrs.length, 2 + withdrawn.length);
  attrs.copy(body, 4 + withdrawn.length);
  nlri.copy(body, 4 + withdrawn.length + attrs.length);
  return frame(MessageType.UPDATE, body);
}

/**
 * Decodes an UPDATE (header included). Field-length errors reset the session
 * (RFC 7606 §4, §5.3); attribute errors follow decodeAttributes.
 */
export function decodeUpdate(buf: Buffer, ctx: CodecContext): UpdateMessage {
  return guardDecode(
    () => {
      const body = buf.subarray(HEADER_LENGTH);
      const wlen = body.readUInt16BE(0);
      if (2 + wlen + 2 > body.length) {
        throw updateError(
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          'withdrawn routes length overruns the message',
        );
      }
      const alen = body.readUInt16BE(2 + wlen);
      if (4 + wlen + alen > body.length) {
        throw updateError(
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          'total path attribute length overruns the message',
        );
      }
      const withdrawn = decodePrefixes(body.subarray(2, 2 + wlen), 'ipv4');
      const decoded = decodeAttributes(
        body.subarray(4 + wlen, 4 + wlen + alen),
        ctx,
      );
      const nlri = decodePrefixes(body.subarray(4 + wlen + alen), 'ipv4');
      const a = decoded.attributes;
      const taw = [...decoded.treatAsWithdraw];
      const announces = nlri.length > 0 || (a.mpReach?.nlri.length ?? 0) > 0;
      if (announces && taw.length === 0) {
        // RFC 7606 §3.d: a missing well-known mandatory attribute.
        if (a.origin === undefined) taw.push('missing ORIGIN');
        if (a.asPath === undefined) taw.push('missing AS_PATH');
        if (nlri.length > 0 && a.nextHop === undefined)
          taw.push('missing NEXT_HOP');
      }
      const msg: UpdateMessage = {
        type: 'update',
        withdrawn,
        attributes: a,
        nlri,
      };
      if (decoded.discarded.length) msg.discarded = decoded.discarded;
      if (taw.length) {
        msg.treatAsWithdraw = taw;
        msg.withdrawn = [...withdrawn, ...nlri];
        msg.nlri = [];
        if (a.mpReach) {
          const { afi, safi, nlri: mpNlri } = a.mpReach;
          const prior = a.mpUnreach?.afi === afi ? a.mpUnreach.withdrawn : [];
          a.mpUnreach = { afi, safi, withdrawn: [...prior, ...mpNlri] };
          delete a.mpReach;
        }
      }
      return msg;
    },
    () =>
      updateError(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'malformed UPDATE'),
  );
}

/** Whether an UPDATE is an End-of-RIB marker (RFC 4724 §2). */
export function isEndOfRib(msg: UpdateMessage): boolean {
  const a = msg.attributes;
  if (msg.withdrawn.length || msg.nlri.length) return false;
  const keys = Object.keys(a);
  if (keys.length === 0) return true;
  return (
    keys.length === 1 && !!a.mpUnreach && a.mpUnreach.withdrawn.length === 0
  );
}

export function encodeEndOfRib(afi: number, ctx: CodecContext): Buffer {
  if (afi === Afi.IPV4) {
    return encodeUpdate({ withdrawn: [], attributes: {}, nlri: [] }, ctx);
  }
  return encodeUpdate(
    {
      withdrawn: [],
      attributes: { mpUnreach: { afi, safi: Safi.UNICAST, withdrawn: [] } },
      nlri: [],
    },
    ctx,
  );
}

const EMPTY_UPDATE = HEADER_LENGTH + 4;
// MP_REACH: flags, type, 2-octet length, AFI, SAFI, next-hop length, reserved.
const MP_REACH_FIXED = 4 + 5;
const MP_UNREACH_FIXED = 4 + 3;

function chunkByOctets(prefixes: readonly Prefix[], room: number): Prefix[][] {
  const out: Prefix[][] = [];
  let cur: Prefix[] = [];
  let used = 0;
  for (const p of prefixes) {
    const n = encodedPrefixLength(p);
    if (used + n > room && cur.length) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(p);
    used += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Packs announcements sharing one set of attributes into as few UPDATEs as fit
 * in 4096 octets each. IPv4 prefixes go in the NLRI field (attributes must then
 * carry NEXT_HOP); IPv6 prefixes go in MP_REACH_NLRI with `nextHopsV6`.
 */
export function packAnnouncements(
  family: 'ipv4' | 'ipv6',
  prefixes: readonly Prefix[],
  attributes: PathAttributes,
  ctx: CodecContext,
  nextHopsV6: string[] = [],
): Buffer[] {
  if (prefixes.length === 0) return [];
  if (family === 'ipv4') {
    const attrLen = encodeAttributes(attributes, ctx).length;
    const room = MAX_MESSAGE_LENGTH - EMPTY_UPDATE - attrLen;
    return chunkByOctets(prefixes, room).map(nlri =>
      encodeUpdate({ withdrawn: [], attributes, nlri }, ctx),
    );
  }
  const base = { ...attributes };
  delete base.nextHop;
  const attrLen = encodeAttributes(base, ctx).length;
  const room =
    MAX_MESSAGE_LENGTH -
    EMPTY_UPDATE -
    attrLen -
    MP_REACH_FIXED -
    16 * nextHopsV6.length;
  return chunkByOctets(prefixes, room).map(nlri => {
    const mpReach = {
      afi: Afi.IPV6,
      safi: Safi.UNICAST,
      nextHops: nextHopsV6,
      nlri,
    };
    return encodeUpdate(
      { withdrawn: [], attributes: { ...base, mpReach }, nlri: [] },
      ctx,
    );
  });
}

/** Packs withdrawals into as few UPDATEs as fit. */
export function packWithdrawals(
  family: 'ipv4' | 'ipv6',
  prefixes: readonly Prefix[],
  ctx: CodecContext,
): Buffer[] {
  if (prefixes.length === 0) return [];
  if (family === 'ipv4') {
    return chunkByOctets(prefixes, MAX_MESSAGE_LENGTH - EMPTY_UPDATE).map(w =>
      encodeUpdate({ withdrawn: w, attributes: {}, nlri: [] }, ctx),
    );
  }
  return chunkByOctets(
    prefixes,
    MAX_MESSAGE_LENGTH - EMPTY_UPDATE - MP_UNREACH_FIXED,
  ).map(w =>
    encodeUpdate(
      {
        withdrawn: [],
        attributes: {
          mpUnreach: { afi: Afi.IPV6, safi: Safi.UNICAST, withdrawn: w },
        },
        nlri: [],
      },
      ctx,
    ),
  );
}
