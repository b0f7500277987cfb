import { Address4, Address6 } from 'ip-address';

/** A VIP in canonical text form (RFC 5952 for IPv6) with its family. */
export interface ParsedAddress {
  family: 4 | 6;
  address: string;
}

/** Parses an IPv4 or IPv6 address; `undefined` for anything else (prefixes included). */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (text.includes('/')) {
    return undefined;
  }
  if (Address4.isValid(text)) {
    return { family: 4, address: new Address4(text).correctForm() };
  }
  if (Address6.isValid(text) && !text.includes('%')) {
    return { family: 6, address: new Address6(text).correctForm() };
  }
  return undefined;
}

export function ipv4ToBytes(address: string): Buffer {
  return Buffer.from(new Address4(address).toArray());
}

export function bytesToIpv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

export function ipv6ToBytes(address: string): Buffer {
  const bytes = new Address6(address).toUnsignedByteArray();
  // ip-address drops leading zero bytes (e.g. for `::1`).
  const out = Buffer.alloc(16);
  Buffer.from(bytes).copy(out, 16 - bytes.length);
  return out;
}

export function bytesToIpv6(bytes: Uint8Array): string {
  return Address6.fromUnsignedByteArray(
    Array.from(bytes.subarray(0, 16)),
  ).correctForm();
}

export const IPV6_UNSPECIFIED = '::';
export const IPV6_ALL_NODES = 'ff02::1';

/** Solicited-node multicast address of a unicast address (RFC 4291 §2.7.1). */
export function solicitedNodeAddress(address: string): string {
  const bytes = ipv6ToBytes(address);
  const out = ipv6ToBytes('ff02::1:ff00:0');
  bytes.copy(out, 13, 13, 16);
  return bytesToIpv6(out);
}

/** Ethernet destination for an IPv6 multicast address (RFC 2464 §7). */
export function ipv6MulticastMac(address: string): string {
  const bytes = ipv6ToBytes(address);
  return [
    '33',
    '33',
    ...Array.from(bytes.subarray(12, 16), b => b.toString(16).padStart(2, '0')),
  ].join(':');
}
