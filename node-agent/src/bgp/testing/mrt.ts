import {
  encodeAttributes,
  encodePrefix,
  ipv4ToBytes,
  PathAttributes,
} from '../codec';

/** RFC 6396 §4: common MRT header. */
function record(
  type: number,
  subtype: number,
  body: Buffer,
  time: number,
): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(time, 0);
  h.writeUInt16BE(type, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

const TABLE_DUMP_V2 = 13;
const PEER_INDEX_TABLE = 1;
const RIB_IPV4_UNICAST = 2;

/**
 * An MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) with one peer and one IPv4 path
 * per prefix, for `gobgp mrt inject global FILE`: the way to load 100k routes
 * into gobgpd without 100k API calls.
 */
export function mrtTableDump(
  prefixes: readonly string[],
  peer: { routerId: string; address: string; asn: number },
  attributes: PathAttributes,
): Buffer {
  const time = Math.floor(Date.now() / 1000);
  const index = Buffer.alloc(4 + 2 + 2 + 1 + 4 + 4 + 4);
  let o = 0;
  ipv4ToBytes(peer.routerId).copy(index, o);
  o += 4;
  index.writeUInt16BE(0, o); // view name length
  o += 2;
  index.writeUInt16BE(1, o); // peer count
  o += 2;
  index[o++] = 0x02; // IPv4 peer address, 4-octet AS (§4.3.1)
  ipv4ToBytes(peer.routerId).copy(index, o);
  o += 4;
  ipv4ToBytes(peer.address).copy(index, o);
  o += 4;
  index.writeUInt32BE(peer.asn, o);
  const parts = [record(TABLE_DUMP_V2, PEER_INDEX_TABLE, index, time)];
  // TABLE_DUMP_V2 always encodes AS_PATH with 4-octet ASNs (§4.3.4).
  const attrs = encodeAttributes(attributes, { fourOctetAs: true });
  prefixes.forEach((p, seq) => {
    const nlri = encodePrefix(p);
    const body = Buffer.alloc(4 + nlri.length + 2 + 8 + attrs.length);
    let i = body.writeUInt32BE(seq, 0);
    i += nlri.copy(body, i);
    i = body.writeUInt16BE(1, i); // entry count
    i = body.writeUInt16BE(0, i); // peer index
    i = body.writeUInt32BE(time, i);
    i = body.writeUInt16BE(attrs.length, i);
    attrs.copy(body, i);
    parts.push(record(TABLE_DUMP_V2, RIB_IPV4_UNICAST, body, time));
  });
  return Buffer.concat(parts);
}
