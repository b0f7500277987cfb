import {
  bytesToIpv4,
  bytesToIpv6,
  Family,
  ipv4ToBytes,
  ipv6ToBytes,
} from './address';
import { UpdateSubcode } from './constants';
import { updateError } from './errors';

/**
 * A prefix is kept in its canonical text form (`198.18.0.1/32`, `2001:db8::/64`):
 * it is the map key of every RIB here, and comparing strings is cheap.
 */
export type Prefix = string;

export function prefixFamily(prefix: Prefix): Family {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** Splits and validates `addr/len`; host bits must be zero. */
export function parsePrefix(prefix: Prefix): {
  family: Family;
  bytes: Buffer;
  length: number;
} {
  const slash = prefix.lastIndexOf('/');
  if (slash < 0) throw new TypeError(`prefix without length: ${prefix}`);
  const family = prefixFamily(prefix);
  const addr = prefix.slice(0, slash);
  const length = Number(prefix.slice(slash + 1));
  const max = family === 'ipv4' ? 32 : 128;
  if (!Number.isInteger(length) || length < 0 || length > max) {
    throw new TypeError(`bad prefix length: ${prefix}`);
  }
  const bytes = family === 'ipv4' ? ipv4ToBytes(addr) : ipv6ToBytes(addr);
  return { family, bytes, length };
}

/** Size on the wire of one NLRI entry, RFC 4271 §4.3. */
export function encodedPrefixLength(prefix: Prefix): number {
  const length = Number(prefix.slice(prefix.lastIndexOf('/') + 1));
  return 1 + Math.ceil(length / 8);
}

export function encodePrefix(prefix: Prefix): Buffer {
  const { bytes, length } = parsePrefix(prefix);
  const n = Math.ceil(length / 8);
  const out = Buffer.alloc(1 + n);
  out[0] = length;
  bytes.copy(out, 1, 0, n);
  return out;
}

export function encodePrefixes(prefixes: readonly Prefix[]): Buffer {
  return Buffer.concat(prefixes.map(encodePrefix));
}

/**
 * Decodes a run of NLRI (RFC 4271 §4.3, RFC 4760 §5). A length beyond the
 * family's maximum or a run that overruns the field is an Invalid Network Field
 * (RFC 7606 §5.3: session reset). Trailing host bits are masked off (RFC 7606
 * leaves that to the receiver; routers tolerate them too).
 */
export function decodePrefixes(buf: Buffer, family: Family): Prefix[] {
  const max = family === 'ipv4' ? 32 : 128;
  const size = family === 'ipv4' ? 4 : 16;
  const out: Prefix[] = [];
  let i = 0;
  while (i < buf.length) {
    const length = buf[i];
    const n = Math.ceil(length / 8);
    if (length > max || i + 1 + n > buf.length) {
      throw updateError(
        UpdateSubcode.INVALID_NETWORK_FIELD,
        `malformed ${family} NLRI at offset ${i}`,
      );
    }
    const bytes = Buffer.alloc(size);
    buf.copy(bytes, 0, i + 1, i + 1 + n);
    if (length % 8 !== 0) bytes[n - 1] &= 0xff << (8 - (length % 8));
    const addr = family === 'ipv4' ? bytesToIpv4(bytes) : bytesToIpv6(bytes);
    out.push(`${addr}/${length}`);
    i += 1 + n;
  }
  return out;
}
