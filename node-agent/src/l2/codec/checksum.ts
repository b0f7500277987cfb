/** One's-complement Internet checksum (RFC 1071) over the given chunks. */
export function internetChecksum(chunks: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const chunk of chunks) {
    for (const byte of chunk) {
      if (odd === undefined) {
        odd = byte;
      } else {
        sum += (odd << 8) | byte;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) {
    sum += odd << 8;
  }
  while (sum > 0xffff) {
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

/** ICMPv6 checksum over the IPv6 pseudo-header (RFC 8200 §8.1, RFC 4443 §2.3). */
export function icmpv6Checksum(
  source: Uint8Array,
  destination: Uint8Array,
  icmp: Uint8Array,
): number {
  const pseudo = Buffer.alloc(40);
  Buffer.from(source).copy(pseudo, 0);
  Buffer.from(destination).copy(pseudo, 16);
  pseudo.writeUInt32BE(icmp.length, 32);
  pseudo[39] = 58; // next header: ICMPv6
  return internetChecksum([pseudo, icmp]);
}
