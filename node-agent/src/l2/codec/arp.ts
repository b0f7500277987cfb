import { bytesToIpv4, ipv4ToBytes } from './ip';
import { Decoded, rejected } from './decoded';
import { bytesToMac, macToBytes } from './mac';

/** RFC 826 ARP for Ethernet (hardware type 1) and IPv4 (protocol type 0x0800). */
export interface ArpPacket {
  operation: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

const ARP_LENGTH = 28;
const OPERATIONS = { request: 1, reply: 2 } as const;

export function decodeArp(payload: Buffer): Decoded<ArpPacket> {
  // Trailing bytes are Ethernet padding and are ignored.
  if (payload.length < ARP_LENGTH) {
    return rejected('arp packet shorter than 28 bytes');
  }
  const hardwareType = payload.readUInt16BE(0);
  const protocolType = payload.readUInt16BE(2);
  if (hardwareType !== 1 || protocolType !== 0x0800) {
    return rejected('not ethernet/ipv4 arp');
  }
  if (payload[4] !== 6 || payload[5] !== 4) {
    return rejected('unexpected address lengths');
  }
  const op = payload.readUInt16BE(6);
  if (op !== OPERATIONS.request && op !== OPERATIONS.reply) {
    return rejected(`unsupported arp operation ${op}`);
  }
  return {
    ok: true,
    value: {
      operation: op === OPERATIONS.request ? 'request' : 'reply',
      senderMac: bytesToMac(payload.subarray(8, 14)),
      senderIp: bytesToIpv4(payload.subarray(14, 18)),
      targetMac: bytesToMac(payload.subarray(18, 24)),
      targetIp: bytesToIpv4(payload.subarray(24, 28)),
    },
  };
}

export function encodeArp(packet: ArpPacket): Buffer {
  const out = Buffer.alloc(ARP_LENGTH);
  out.writeUInt16BE(1, 0);
  out.writeUInt16BE(0x0800, 2);
  out[4] = 6;
  out[5] = 4;
  out.writeUInt16BE(OPERATIONS[packet.operation], 6);
  macToBytes(packet.senderMac).copy(out, 8);
  ipv4ToBytes(packet.senderIp).copy(out, 14);
  macToBytes(packet.targetMac).copy(out, 18);
  ipv4ToBytes(packet.targetIp).copy(out, 24);
  return out;
}
