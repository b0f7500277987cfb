import { bytesToMac, macToBytes } from './mac';

export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
const HEADER_LENGTH = 14;
/** Frames shorter than this are padded on the wire (IEEE 802.3 minimum 64 bytes with FCS). */
const MIN_FRAME_LENGTH = 60;

export interface EthernetFrame {
  destination: string;
  source: string;
  etherType: number;
  payload: Buffer;
}

/** Decodes an Ethernet II header; `undefined` when the frame is too short or VLAN-tagged. */
export function decodeEthernet(frame: Buffer): EthernetFrame | undefined {
  if (frame.length < HEADER_LENGTH) {
    return undefined;
  }
  return {
    destination: bytesToMac(frame.subarray(0, 6)),
    source: bytesToMac(frame.subarray(6, 12)),
    etherType: frame.readUInt16BE(12),
    payload: frame.subarray(HEADER_LENGTH),
  };
}

export function encodeEthernet(frame: EthernetFrame): Buffer {
  const length = Math.max(
    MIN_FRAME_LENGTH,
    HEADER_LENGTH + frame.payload.length,
  );
  const out = Buffer.alloc(length);
  macToBytes(frame.destination).copy(out, 0);
  macToBytes(frame.source).copy(out, 6);
  out.writeUInt16BE(frame.etherType, 12);
  frame.payload.copy(out, HEADER_LENGTH);
  return out;
}
