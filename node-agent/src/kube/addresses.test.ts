import {
  confusesBuggyFirmware,
  parseAddress,
  parseAddressRange,
  rangeSize,
} from './addresses';
import { parseGoDuration } from './duration';

describe('parseAddressRange', () => {
  it.each([
    ['192.0.2.0/28', 'IPv4', '192.0.2.0', 16n],
    ['192.0.2.7/28', 'IPv4', '192.0.2.0', 16n],
    ['192.0.2.10-192.0.2.20', 'IPv4', '192.0.2.10', 11n],
    ['192.0.2.9', 'IPv4', '192.0.2.9', 1n],
    ['2001:db8::/126', 'IPv6', '2001:db8::', 4n],
    ['2001:db8::1-2001:db8::ff', 'IPv6', '2001:db8::1', 255n],
  ])('%s', (text, family, first, size) => {
    const r = parseAddressRange(text);
    if (typeof r === 'string') throw new Error(r);
    expect(r.family).toBe(family);
    expect(r.first).toBe(parseAddress(first)!.value);
    expect(rangeSize(r)).toBe(size);
  });

  it.each([
    ['192.0.2.20-192.0.2.10', /ends before it starts/],
    ['192.0.2.1-2001:db8::1', /mixes IPv4 and IPv6/],
    ['192.0.2.0/33', /longer than 32/],
    ['192.0.2.0/x', /prefix length/],
    ['300.0.2.0/24', /not a CIDR/],
    ['nonsense', /neither a CIDR nor a range/],
    ['1-2-3', /not a range/],
  ])('rejects %s with a reason', (text, why) => {
    expect(parseAddressRange(text)).toMatch(why);
  });
});

describe('confusesBuggyFirmware', () => {
  it('flags IPv4 .0 and .255 only', () => {
    expect(confusesBuggyFirmware(parseAddress('192.0.2.0')!)).toBe(true);
    expect(confusesBuggyFirmware(parseAddress('192.0.2.255')!)).toBe(true);
    expect(confusesBuggyFirmware(parseAddress('192.0.2.1')!)).toBe(false);
    expect(confusesBuggyFirmware(parseAddress('2001:db8::ff')!)).toBe(false);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['0', 0],
  ])('%s', (text, ms) => expect(parseGoDuration(text)).toBe(ms));
  it.each(['', '90', 's', '10x', '1m 30s'])('rejects "%s"', text =>
    expect(parseGoDuration(text)).toBeUndefined(),
  );
});
