import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  addressKey,
  canonicalAddress,
  countEdgeAddresses,
  countSubnetRouterAnycast,
  formatRange,
  isEdgeAddress,
  isSubnetRouterAnycast,
  iterateRange,
  parseAddress,
  parseRange,
  rangeContains,
  rangeSize,
  rangesOverlap,
} from './ipRange';

describe('parseRange', () => {
  it('reads MetalLB dash ranges, CIDRs and single addresses', () => {
    expect(rangeSize(parseRange('10.40.20.120-10.40.20.139'))).toBe(20n);
    expect(rangeSize(parseRange('192.0.2.0/24'))).toBe(256n);
    expect(rangeSize(parseRange('192.0.2.7'))).toBe(1n);
    expect(rangeSize(parseRange('2001:db8::/64'))).toBe(2n ** 64n);
    expect(rangeSize(parseRange('2001:db8::1-2001:db8::ff'))).toBe(255n);
    expect(rangeSize(parseRange('10.0.0.0/8'))).toBe(2n ** 24n);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => parseRange('10.0.0.9-10.0.0.1')).toThrow(
      /ends before it starts/,
    );
  });

  it('refuses a range mixing families', () => {
    expect(() => parseRange('10.0.0.1-2001:db8::1')).toThrow(
      /mixes IPv4 and IPv6/,
    );
  });

  it('refuses malformed addresses and prefixes', () => {
    expect(() => parseRange('10.0.0.256')).toThrow(/not a valid/);
    expect(() => parseRange('10.0.0.0/33')).toThrow(/more than 32/);
    expect(() => parseRange('2001:db8::/129')).toThrow(/more than 128/);
    expect(() => parseRange('10.0.0.0/x')).toThrow(/invalid prefix/);
    expect(() => parseRange('10.0.0.1/24')).toThrow(
      /host bits set; the network is 10.0.0.0\/24/,
    );
    expect(() => parseRange('')).toThrow(/non-empty/);
    expect(() => parseRange('a-b-c')).toThrow(/exactly one/);
    expect(() => parseRange('fe80::1%eth0')).toThrow(/not a valid/);
  });

  it('round-trips through formatRange in canonical form', () => {
    expect(formatRange(parseRange('2001:DB8:0::0001-2001:db8::0002'))).toBe(
      '2001:db8::1-2001:db8::2',
    );
    expect(formatRange(parseRange('192.0.2.0/30'))).toBe('192.0.2.0-192.0.2.3');
    expect(canonicalAddress('2001:0db8:0000::0010')).toBe('2001:db8::10');
  });
});

describe('overlap and containment', () => {
  it('compares ranges of one family only', () => {
    const a = parseRange('192.0.2.0/25');
    const b = parseRange('192.0.2.100-192.0.2.200');
    const c = parseRange('192.0.2.128/25');
    expect(rangesOverlap(a, b)).toBe(true);
    expect(rangesOverlap(a, c)).toBe(false);
    expect(rangeContains(parseRange('192.0.2.0/24'), b)).toBe(true);
    expect(rangeContains(a, b)).toBe(false);
    expect(rangesOverlap(parseRange('::/0'), parseRange('0.0.0.0/0'))).toBe(
      false,
    );
  });

  it('agrees with a brute-force check on random IPv4 ranges', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }))
      .map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const);
    expect(() =>
      fc.assert(
        fc.property(range, range, ([a1, a2], [b1, b2]) => {
          const text = (s: number, e: number) =>
            `${parseAddressText(s)}-${parseAddressText(e)}`;
          const overlap = rangesOverlap(
            parseRange(text(a1, a2)),
            parseRange(text(b1, b2)),
          );
          const brute = Math.max(a1, b1) <= Math.min(a2, b2);
          return overlap === brute;
        }),
      ),
    ).not.toThrow();
  });
});

function parseAddressText(n: number): string {
  return `198.51.${100 + Math.floor(n / 256)}.${n % 256}`;
}

describe('iteration and keys', () => {
  it('iterates in order and stops at the limit', () => {
    expect([...iterateRange(parseRange('192.0.2.254-192.0.3.1'))]).toEqual([
      '192.0.2.254',
      '192.0.2.255',
      '192.0.3.0',
      '192.0.3.1',
    ]);
    expect([...iterateRange(parseRange('2001:db8::/64'), 2)]).toEqual([
      '2001:db8::',
      '2001:db8::1',
    ]);
  });

  it('gives keys whose text order is the numeric order', () => {
    const a = parseAddress('192.0.2.9');
    const b = parseAddress('192.0.2.10');
    expect(addressKey(a.family, a.value) < addressKey(b.family, b.value)).toBe(
      true,
    );
    expect(addressKey(6, parseAddress('2001:db8::1').value)).toHaveLength(32);
  });

  it('counts .0 and .255 edge addresses', () => {
    expect(countEdgeAddresses(parseRange('192.0.2.0/24'))).toBe(2n);
    expect(countEdgeAddresses(parseRange('10.0.0.0/16'))).toBe(512n);
    expect(countEdgeAddresses(parseRange('192.0.2.1-192.0.2.254'))).toBe(0n);
    expect(countEdgeAddresses(parseRange('192.0.2.255-192.0.3.0'))).toBe(2n);
    expect(countEdgeAddresses(parseRange('2001:db8::/120'))).toBe(0n);
    expect(isEdgeAddress(4, parseAddress('192.0.2.255').value)).toBe(true);
    expect(isEdgeAddress(6, parseAddress('2001:db8::ff').value)).toBe(false);
  });

  it('finds Subnet-Router anycast addresses (RFC 4291 §2.6.1)', () => {
    expect(isSubnetRouterAnycast(6, parseAddress('2001:db8:1::').value)).toBe(
      true,
    );
    expect(isSubnetRouterAnycast(6, parseAddress('2001:db8:1::1').value)).toBe(
      false,
    );
    expect(isSubnetRouterAnycast(4, parseAddress('0.0.0.0').value)).toBe(false);
    expect(countSubnetRouterAnycast(parseRange('2001:db8::/63'))).toBe(2n);
    expect(
      countSubnetRouterAnycast(parseRange('2001:db8::1-2001:db8::ffff')),
    ).toBe(0n);
    expect(countSubnetRouterAnycast(parseRange('192.0.2.0/24'))).toBe(0n);
  });
});
