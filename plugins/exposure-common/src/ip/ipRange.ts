import { Address4, Address6 } from 'ip-address';

/** IP family of an address or range: 4 or 6. */
export type IpFamily = 4 | 6;

/** An inclusive range of addresses of one family, as integers. */
export interface IpRange {
  family: IpFamily;
  start: bigint;
  end: bigint;
}

/** Thrown for text that is not an address, a CIDR or a range. */
export class IpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpParseError';
  }
}

/** A parsed single address. */
export interface IpAddressValue {
  family: IpFamily;
  value: bigint;
}

/**
 * Parses one address (no prefix). Zone ids and embedded prefixes are refused.
 */
export function parseAddress(text: string): IpAddressValue {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    throw new IpParseError(`"${text}" is a prefix, expected a single address`);
  }
  if (Address4.isValid(trimmed)) {
    return { family: 4, value: new Address4(trimmed).bigInt() };
  }
  if (
    trimmed.includes(':') &&
    !trimmed.includes('%') &&
    Address6.isValid(trimmed)
  ) {
    return { family: 6, value: new Address6(trimmed).bigInt() };
  }
  throw new IpParseError(`"${text}" is not a valid IPv4 or IPv6 address`);
}

/** Canonical text of an address: dotted quad, or RFC 5952 compressed IPv6. */
export function formatAddress(family: IpFamily, value: bigint): string {
  return family === 4
    ? Address4.fromBigInt(value).correctForm()
    : Address6.fromBigInt(value).correctForm();
}

/** Canonical text of an address given as text (e.g. `2001:DB8::0001` → `2001:db8::1`). */
export function canonicalAddress(text: string): string {
  const { family, value } = parseAddress(text);
  return formatAddress(family, value);
}

/**
 * A fixed-width hex key whose lexical order is the numeric order of addresses of
 * one family, so a database can sort and compare addresses stored as text.
 */
export function addressKey(family: IpFamily, value: bigint): string {
  return value.toString(16).padStart(family === 4 ? 8 : 32, '0');
}

function parseCidr(text: string): IpRange {
  const [addr, prefixText, ...rest] = text.split('/');
  if (rest.length > 0 || !/^\d{1,3}$/.test(prefixText ?? '')) {
    throw new IpParseError(`"${text}" has an invalid prefix length`);
  }
  const { family } = parseAddress(addr);
  const prefix = Number(prefixText);
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) {
    throw new IpParseError(
      `"${text}" has prefix length ${prefix}, more than ${bits} for IPv${family}`,
    );
  }
  const parsed = family === 4 ? new Address4(text) : new Address6(text);
  const start = parsed.startAddress().bigInt();
  const end = parsed.endAddress().bigInt();
  if (parsed.bigInt() !== start) {
    throw new IpParseError(
      `"${text}" has host bits set; the network is ${formatAddress(
        family,
        start,
      )}/${prefix}`,
    );
  }
  return { family, start, end };
}

/**
 * Parses `a.b.c.d-e.f.g.h` (MetalLB's range form), a CIDR, or a single address
 * (a range of one) into an inclusive range.
 */
export function parseRange(text: string): IpRange {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new IpParseError('an address range must be a non-empty string');
  }
  const trimmed = text.trim();
  if (trimmed.includes('-')) {
    const parts = trimmed.split('-');
    if (parts.length !== 2) {
      throw new IpParseError(`"${text}" must have exactly one "-"`);
    }
    const from = parseAddress(parts[0]);
    const to = parseAddress(parts[1]);
    if (from.family !== to.family) {
      throw new IpParseError(
        `"${text}" mixes IPv${from.family} and IPv${to.family} addresses`,
      );
    }
    if (to.value < from.value) {
      throw new IpParseError(`"${text}" ends before it starts`);
    }
    return { family: from.family, start: from.value, end: to.value };
  }
  if (trimmed.includes('/')) {
    return parseCidr(trimmed);
  }
  const single = parseAddress(trimmed);
  return { family: single.family, start: single.value, end: single.value };
}

/** Number of addresses in a range (a bigint: an IPv6 /64 holds 2^64). */
export function rangeSize(range: IpRange): bigint {
  return range.end - range.start + 1n;
}

/** True when two ranges share at least one address. */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** True when `inner` lies entirely inside `outer`. */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return (
    outer.family === inner.family &&
    outer.start <= inner.start &&
    inner.end <= outer.end
  );
}

/** True when the address lies in the range. */
export function rangeHas(range: IpRange, address: IpAddressValue): boolean {
  return (
    range.family === address.family &&
    range.start <= address.value &&
    address.value <= range.end
  );
}

/** Text of a range: `a-b`, or the single address when it holds one. */
export function formatRange(range: IpRange): string {
  const start = formatAddress(range.family, range.start);
  return range.start === range.end
    ? start
    : `${start}-${formatAddress(range.family, range.end)}`;
}

/**
 * Yields the addresses of a range in order, at most `limit` of them (a /64 is
 * too large to walk to the end).
 */
export function* iterateRange(
  range: IpRange,
  limit: number = Number.MAX_SAFE_INTEGER,
): Generator<string> {
  let yielded = 0;
  for (let v = range.start; v <= range.end && yielded < limit; v++) {
    yielded++;
    yield formatAddress(range.family, v);
  }
}

/**
 * IPv4 addresses ending in .0 or .255: some hosts and firmwares still treat
 * them as network or broadcast addresses even inside larger prefixes, so pools
 * can skip them (as MetalLB's `avoidBuggyIPs` does).
 */
export function isEdgeAddress(family: IpFamily, value: bigint): boolean {
  if (family !== 4) return false;
  const last = value & 0xffn;
  return last === 0n || last === 255n;
}

/** Number of values v in the range with v mod modulus = residue. */
function countResidue(
  range: IpRange,
  modulus: bigint,
  residue: bigint,
): bigint {
  const upTo = (x: bigint) => (x < residue ? 0n : (x - residue) / modulus + 1n);
  return upTo(range.end) - upTo(range.start - 1n);
}

/** Number of .0/.255 addresses in an IPv4 range (0 for IPv6). */
export function countEdgeAddresses(range: IpRange): bigint {
  if (range.family !== 4) return 0n;
  return countResidue(range, 256n, 0n) + countResidue(range, 256n, 255n);
}

const INTERFACE_ID_SPAN = 1n << 64n;
const INTERFACE_ID_MASK = INTERFACE_ID_SPAN - 1n;

/**
 * The Subnet-Router anycast address of a /64 (interface identifier all
 * zeros, RFC 4291 §2.6.1): routers answer it, so it is never a service VIP.
 */
export function isSubnetRouterAnycast(
  family: IpFamily,
  value: bigint,
): boolean {
  return family === 6 && (value & INTERFACE_ID_MASK) === 0n;
}

/** Number of Subnet-Router anycast addresses in a range (0 for IPv4). */
export function countSubnetRouterAnycast(range: IpRange): bigint {
  return range.family === 6 ? countResidue(range, INTERFACE_ID_SPAN, 0n) : 0n;
}
