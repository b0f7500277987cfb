import { Decoded, rejected } from './decoded';
import { bytesToIpv6, ipv6ToBytes } from './ip';

export const NEXT_HEADER_ICMPV6 = 58;
const HEADER_LENGTH = 40;

/** The fixed IPv6 header (RFC 8200 §3); extension headers are not followed. */
export interface Ipv6Packet {
  nextHeader: number;
  hopLimit: number;
  source: string;
  destination: string;
  payload: Buffer;
}

export function decodeIpv6(bytes: Buffer): Decoded<Ipv6Packet> {
  if (bytes.length < HEADER_LENGTH) {
    return rejected('ipv6 packet shorter than its header');
  }
  if (bytes[0] >> 4 !== 6) {
    return rejected('ip version is not 6');
  }
  const payloadLength = bytes.readUInt16BE(4);
  if (HEADER_LENGTH + payloadLength > bytes.length) {
    return rejected('ipv6 payload length exceeds the frame');
  }
  return {
    ok: true,
    value: {
      nextHeader: bytes[6],
      hopLimit: bytes[7],
      source: bytesToIpv6(bytes.subarray(8, 24)),
      destination: bytesToIpv6(bytes.subarray(24, 40)),
      payload: bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + payloadLength),
    },
  };
}

export function encodeIpv6(packet: Ipv6Packet): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH + packet.payload.length);
  out.writeUInt32BE(0x60000000, 0);
  out.writeUInt16BE(packet.payload.length, 4);
  out[6] = packet.nextHeader;
  out[7] = packet.hopLimit;
  ipv6ToBytes(packet.source).copy(out, 8);
  ipv6ToBytes(packet.destination).copy(out, 24);
  packet.payload.copy(out, HEADER_LENGTH);
  return out;
}
