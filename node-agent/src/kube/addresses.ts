import { Address4, Address6 } from 'ip-address';

/** Kubernetes spells address families this way (`spec.ipFamilies`). */
export type IPFamily = 'IPv4' | 'IPv6';

/** An inclusive range of addresses of one family, as integers. */
export interface AddressRange {
  family: IPFamily;
  first: bigint;
  last: bigint;
  /** The text it was parsed from, for messages. */
  text: string;
}

/** A parsed address: its family, integer value and canonical text. */
export interface ParsedAddress {
  family: IPFamily;
  value: bigint;
  text: string;
}

/** Parses one IPv4 or IPv6 address (no prefix); undefined when it is not one. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    return undefined;
  }
  if (Address4.isValid(trimmed)) {
    const a = new Address4(trimmed);
    return { family: 'IPv4', value: a.bigInt(), text: a.correctForm() };
  }
  if (Address6.isValid(trimmed)) {
    const a = new Address6(trimmed);
    return { family: 'IPv6', value: a.bigInt(), text: a.correctForm() };
  }
  return undefined;
}

/** Canonical text of an address given as an integer. */
export function formatAddress(family: IPFamily, value: bigint): string {
  return family === 'IPv4'
    ? Address4.fromBigInt(value).correctForm()
    : Address6.fromBigInt(value).correctForm();
}

/**
 * Parses one entry of `IPAddressPool.spec.addresses`: a CIDR (`192.0.2.0/28`,
 * host bits ignored as MetalLB does) or an inclusive range (`192.0.2.10-192.0.2.20`).
 * Returns an error message instead of throwing: the text comes from users.
 */
export function parseAddressRange(text: string): AddressRange | string {
  const entry = text.trim();
  if (entry.includes('-')) {
    const [from, to, ...rest] = entry.split('-');
    if (rest.length > 0) {
      return `"${entry}" is not a range: expected FIRST-LAST`;
    }
    const first = parseAddress(from);
    const last = parseAddress(to);
    if (!first || !last) {
      return `"${entry}" is not a range of IP addresses`;
    }
    if (first.family !== last.family) {
      return `"${entry}" mixes IPv4 and IPv6`;
    }
    if (first.value > last.value) {
      return `"${entry}" ends before it starts`;
    }
    return {
      family: first.family,
      first: first.value,
      last: last.value,
      text: entry,
    };
  }
  if (entry.includes('/')) {
    const [addr, bits] = entry.split('/');
    if (!/^\d{1,3}$/.test(bits ?? '')) {
      return `"${entry}" has no valid prefix length`;
    }
    const ip = parseAddress(addr);
    if (!ip) {
      return `"${entry}" is not a CIDR`;
    }
    const prefix = Number(bits);
    const width = ip.family === 'IPv4' ? 32 : 128;
    if (prefix > width) {
      return `"${entry}": prefix length ${prefix} is longer than ${width}`;
    }
    const size = 1n << BigInt(width - prefix);
    const first = (ip.value / size) * size;
    return { family: ip.family, first, last: first + size - 1n, text: entry };
  }
  const single = parseAddress(entry);
  if (single) {
    // MetalLB rejects a bare address; accepting it as a range of one costs nothing
    // and is what people mean.
    return {
      family: single.family,
      first: single.value,
      last: single.value,
      text: entry,
    };
  }
  return `"${entry}" is neither a CIDR nor a range`;
}

export function rangeContains(range: AddressRange, ip: ParsedAddress): boolean {
  return (
    range.family === ip.family &&
    ip.value >= range.first &&
    ip.value <= range.last
  );
}

export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function rangeSize(range: AddressRange): bigint {
  return range.last - range.first + 1n;
}

/**
 * IPv4 addresses ending in .0 or .255 trip the smurf protection of some CPE
 * firmwares, which then drop the traffic; MetalLB's `avoidBuggyIPs` skips them.
 */
export function confusesBuggyFirmware(ip: ParsedAddress): boolean {
  if (ip.family !== 'IPv4') {
    return false;
  }
  const lastOctet = ip.value & 0xffn;
  return lastOctet === 0n || lastOctet === 0xffn;
}
