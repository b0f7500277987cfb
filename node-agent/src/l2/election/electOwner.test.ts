import { createHash } from 'crypto';
import { electOwner, rankNodes } from './electOwner';

const NODES = ['node-a', 'node-b', 'node-c'];
const ALL = new Set(NODES);

describe('electOwner', () => {
  it('matches the sha256(node#address) order MetalLB uses', () => {
    const address = '192.0.2.10';
    const expected = [...NODES].sort((x, y) =>
      Buffer.compare(
        createHash('sha256').update(`${x}#${address}`).digest(),
        createHash('sha256').update(`${y}#${address}`).digest(),
      ),
    );
    expect(rankNodes(address, NODES)).toEqual(expected);
    expect(electOwner(address, NODES, ALL)).toBe(expected[0]);
  });

  it('gives the same answer whatever order nodes are listed in', () => {
    const address = '2001:db8::10';
    const owner = electOwner(address, NODES, ALL);
    expect(
      electOwner(address, [...NODES].reverse(), new Set([...NODES].reverse())),
    ).toBe(owner);
  });

  it('moves only the addresses of a failed node (the next in rank takes over)', () => {
    const addresses = Array.from({ length: 50 }, (_, i) => `192.0.2.${i + 1}`);
    const before = new Map(addresses.map(a => [a, electOwner(a, NODES, ALL)]));
    const failed = 'node-b';
    const survivors = new Set(NODES.filter(n => n !== failed));
    const expected = addresses.map(address =>
      before.get(address) === failed
        ? rankNodes(address, NODES)[1]
        : before.get(address),
    );
    expect(addresses.map(a => electOwner(a, NODES, survivors))).toEqual(
      expected,
    );
    expect(expected).not.toContain(failed);
  });

  it('spreads addresses across nodes', () => {
    const counts = new Map<string, number>();
    for (let i = 1; i <= 90; i++) {
      const owner = electOwner(`198.51.100.${i}`, NODES, ALL)!;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    expect(counts.size).toBe(3);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(15);
    }
  });

  it('elects nobody when no eligible node is healthy', () => {
    expect(
      electOwner('192.0.2.1', ['node-a'], new Set(['node-b'])),
    ).toBeUndefined();
    expect(electOwner('192.0.2.1', [], ALL)).toBeUndefined();
  });

  it('only considers eligible nodes', () => {
    expect(electOwner('192.0.2.1', ['node-c'], ALL)).toBe('node-c');
  });
});

describe('electOwner with preferredNodeSelectors scores', () => {
  const nodes = ['a', 'b', 'c', 'd'];
  it('elects among the highest-scored healthy nodes only, falling back as they go', () => {
    const scores = { a: 5, b: 10, c: 10, d: 0 };
    const healthy = new Set(nodes);
    const first = electOwner('192.0.2.1', nodes, healthy, scores);
    expect(['b', 'c']).toContain(first);
    healthy.delete(first!);
    const second = electOwner('192.0.2.1', nodes, healthy, scores);
    expect(['b', 'c'].filter(n => n !== first)).toEqual([second]);
    healthy.delete(second!);
    expect(electOwner('192.0.2.1', nodes, healthy, scores)).toBe('a');
    healthy.delete('a');
    expect(electOwner('192.0.2.1', nodes, healthy, scores)).toBe('d');
  });

  it('without scores, or all equal, is the plain hash order', () => {
    const healthy = new Set(nodes);
    const plain = electOwner('192.0.2.7', nodes, healthy);
    expect(
      electOwner('192.0.2.7', nodes, healthy, { a: 1, b: 1, c: 1, d: 1 }),
    ).toBe(plain);
  });
});
