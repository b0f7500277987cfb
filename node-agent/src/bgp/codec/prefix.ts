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

/** The length after the slash, read without allocating. */
function lengthOf(prefix: Prefix): number {
  let n = 0;
  let scale = 1;
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c === 47 /* '/' */) return scale === 1 ? NaN : n;
    if (c < 48 || c > 57) return NaN;
    n += (c - 48) * scale;
    scale *= 10;
  }
  return NaN;
}

/** Size on the wire of one NLRI entry, RFC 4271 §4.3. */
export function encodedPrefixLength(prefix: Prefix): number {
  return 1 + Math.ceil(lengthOf(prefix) / 8);
}

/**
 * Writes `a.b.c.d/len` at `at` without intermediate strings or arrays (the
 * announcer encodes 100k of these at once); -1 if it is not plain IPv4.
 */
function writeIpv4Prefix(prefix: Prefix, out: Buffer, at: number): number {
  const octets = [0, 0, 0, 0];
  let part = 0;
  let value = 0;
  let digits = 0;
  let i = 0;
  for (; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (digits > 3 || value > 255) return -1;
    } else if (
      (c === 46 /* . */ && part < 3) ||
      (c === 47 /* / */ && part === 3)
    ) {
      if (digits === 0) return -1;
      octets[part++] = value;
      value = 0;
      digits = 0;
      if (c === 47) break;
    } else {
      return -1;
    }
  }
  const length = lengthOf(prefix);
  if (part !== 4 || !(length >= 0 && length <= 32)) return -1;
  const n = Math.ceil(length / 8);
  out[at] = length;
  for (let k = 0; k < n; k++) out[at + 1 + k] = octets[k];
  return 1 + n;
}

function writePrefix(prefix: Prefix, out: Buffer, at: number): number {
  const fast = writeIpv4Prefix(prefix, out, at);
  if (fast >= 0) return fast;
  const { bytes, length } = parsePrefix(prefix);
  const n = Math.ceil(length / 8);
  out[at] = length;
  bytes.copy(out, at + 1, 0, n);
  return 1 + n;
}

export function encodePrefix(prefix: Prefix): Buffer {
  const out = Buffer.allocUnsafe(17);
  return Buffer.from(out.subarray(0, writePrefix(prefix, out, 0)));
}

export function encodePrefixes(prefixes: readonly Prefix[]): Buffer {
  const out = Buffer.allocUnsafe(prefixes.length * 17);
  let at = 0;
  for (const p of prefixes) at += writePrefix(p, out, at);
  return out.subarray(0, at);
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
