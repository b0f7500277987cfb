import { describe, expect, it } from '@jest/globals';
import {
  exposureConfigSchema,
  formatAddress,
  parseAddress,
} from '@portico/plugin-exposure-common';
import { IntervalSet } from './IntervalSet';
import { PoolLayout } from './PoolLayout';

function layout(
  addresses: string[],
  reserved: string[] = [],
  avoidEdges = false,
) {
  const config = exposureConfigSchema.parse({
    segments: [
      {
        name: 's',
        cidrs: ['10.0.0.0/8', '2001:db8::/32'],
        reserved,
        clusters: ['demo'],
      },
    ],
    pools: [
      {
        name: 'p',
        segment: 's',
        intent: 'internal',
        addresses,
        policy: { avoidEdgeAddresses: avoidEdges },
      },
    ],
  });
  return new PoolLayout(config.pools[0], config.segments[0]);
}

const v = (text: string) => parseAddress(text).value;
const text = (value: bigint | undefined, family: 4 | 6 = 4) =>
  value === undefined ? undefined : formatAddress(family, value);

describe('PoolLayout.lowestFree', () => {
  it('picks the lowest free address across ranges in address order', () => {
    const l = layout(['10.0.1.10-10.0.1.11', '10.0.0.5-10.0.0.6']);
    const taken = l.takenWith([]);
    const picked: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      const next = l.lowestFree(taken);
      picked.push(text(next));
      if (next !== undefined) taken.add(next);
    }
    expect(picked).toEqual([
      '10.0.0.5',
      '10.0.0.6',
      '10.0.1.10',
      '10.0.1.11',
      undefined,
    ]);
  });

  it('fills holes left by released addresses first', () => {
    const l = layout(['10.0.0.0/24']);
    const taken = l.takenWith([v('10.0.0.0'), v('10.0.0.1'), v('10.0.0.3')]);
    expect(text(l.lowestFree(taken))).toBe('10.0.0.2');
  });

  it('never picks a reserved or a skipped .0/.255 address', () => {
    const all: string[] = [];
    const l = layout(['10.0.0.250-10.0.1.3'], [], true);
    const taken = l.takenWith([]);
    for (
      let next = l.lowestFree(taken);
      next !== undefined;
      next = l.lowestFree(taken)
    ) {
      all.push(text(next)!);
      taken.add(next);
    }
    expect(all).toEqual([
      '10.0.0.250',
      '10.0.0.251',
      '10.0.0.252',
      '10.0.0.253',
      '10.0.0.254',
      '10.0.1.1',
      '10.0.1.2',
      '10.0.1.3',
    ]);
    expect(l.total - l.unusable).toBe(8n);
  });

  it('counts reserved addresses of the segment inside the pool', () => {
    // Config refuses reserved addresses in a pool range; the layout still
    // honours them should a range and a reservation ever meet.
    const l = layout(['10.0.0.0/24']);
    const withReserved = new PoolLayout(l.pool, {
      ...l.segment,
      reserved: ['10.0.0.0-10.0.0.9'],
    });
    expect(withReserved.unusable).toBe(10n);
    expect(text(withReserved.lowestFree(withReserved.takenWith([])))).toBe(
      '10.0.0.10',
    );
    expect(withReserved.unusableReason(v('10.0.0.3'))).toBe(
      'is reserved on the segment',
    );
  });

  it('handles an IPv6 /64 with bigint counts', () => {
    const l = layout(['2001:db8:1::/64']);
    expect(l.total).toBe(2n ** 64n);
    // The all-zeros interface id is the Subnet-Router anycast address.
    expect(l.unusable).toBe(1n);
    expect(text(l.lowestFree(l.takenWith([])), 6)).toBe('2001:db8:1::1');
    const taken = l.takenWith([v('2001:db8:1::1')]);
    expect(text(l.lowestFree(taken), 6)).toBe('2001:db8:1::2');
    expect(l.unusableReason(v('2001:db8:1::'))).toMatch(
      /Subnet-Router anycast/,
    );
  });

  it('keeps a nearly full edge-skipping pool to one interval', () => {
    const l = layout(['10.0.0.0/22'], [], true);
    const allocated: bigint[] = [];
    for (let n = v('10.0.0.0'); n <= v('10.0.3.255'); n++) {
      const last = n & 0xffn;
      if (last !== 0n && last !== 255n && n !== v('10.0.3.100'))
        allocated.push(n);
    }
    const taken = l.takenWith(allocated);
    expect(taken.intervalCount).toBe(2);
    expect(text(l.lowestFree(taken))).toBe('10.0.3.100');
  });
});

describe('IntervalSet', () => {
  it('merges touching intervals and answers membership', () => {
    const s = IntervalSet.fromSorted([1n, 2n, 2n, 3n, 7n]);
    expect(s.intervalCount).toBe(2);
    s.add(4n, 6n);
    expect(s.intervalCount).toBe(1);
    expect(s.has(5n)).toBe(true);
    expect(s.has(8n)).toBe(false);
    expect(s.nextFree(1n)).toBe(8n);
    s.add(20n, 30n);
    s.add(10n);
    expect([...s.intervals()]).toEqual([
      [1n, 7n],
      [10n, 10n],
      [20n, 30n],
    ]);
    s.add(9n, 25n);
    expect([...s.intervals()]).toEqual([
      [1n, 7n],
      [9n, 30n],
    ]);
    s.add(8n);
    expect([...s.intervals()]).toEqual([[1n, 30n]]);
    expect(s.countWithin(0n, 5n)).toBe(5n);
  });
});
