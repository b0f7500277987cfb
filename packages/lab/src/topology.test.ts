import { Address4 } from 'ip-address';
import { LAB_PREFIX, planTopology } from './topology';

const TEST_NETS = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map(
  c => new Address4(c),
);

describe('planTopology', () => {
  it('uses only TEST-NET addresses', () => {
    const t = planTopology('abc123');
    const addresses = [
      t.router.segmentAddress,
      t.router.clientAddress,
      t.client.address,
      ...t.nodes.map(n => n.address),
    ];
    for (const address of addresses) {
      expect(TEST_NETS.some(net => new Address4(address).isInSubnet(net))).toBe(
        true,
      );
    }
  });

  it('names every namespace after the run, so two runs never collide', () => {
    const a = planTopology('aaaaaa');
    const b = planTopology('bbbbbb');
    expect(a.namespaces).toHaveLength(6);
    expect(new Set(a.namespaces).size).toBe(6);
    for (const ns of a.namespaces) {
      expect(ns.startsWith(`${LAB_PREFIX}aaaaaa-`)).toBe(true);
      expect(b.namespaces).not.toContain(ns);
    }
  });

  it('runs the workload on two of the three nodes', () => {
    expect(
      planTopology('1')
        .nodes.filter(n => n.runsWorkload)
        .map(n => n.name),
    ).toEqual(['node-a', 'node-b']);
  });

  it('refuses run ids that could escape the lab prefix', () => {
    expect(() => planTopology('../x')).toThrow(/hex/);
    expect(() => planTopology('')).toThrow(/hex/);
  });
});
