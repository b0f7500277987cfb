import { Address6 } from 'ip-address';
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 'ipv4' | 'ipv6';

export function familyOf(address: string): Family {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address)) return 'ipv6';
  throw new TypeError(`not an IP address: ${address}`);
}

/** IPv4 dotted quad to 4 bytes; validated by node:net first. */
export function ipv4ToBytes(address: string): Buffer {
  if (!isIPv4(address)) throw new TypeError(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

export function bytesToIpv4(bytes: Buffer): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

export function ipv6ToBytes(address: string): Buffer {
  if (!isIPv6(address)) throw new TypeError(`not an IPv6 address: ${address}`);
  return Buffer.from(new Address6(address).toUnsignedByteArray());
}

export function bytesToIpv6(bytes: Buffer): string {
  return Address6.fromUnsignedByteArray([
    ...bytes.subarray(0, 16),
  ]).correctForm();
}

export function ipToBytes(address: string): Buffer {
  return familyOf(address) === 'ipv4'
    ? ipv4ToBytes(address)
    : ipv6ToBytes(address);
}
