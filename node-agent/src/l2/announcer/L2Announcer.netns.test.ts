import { L2Cluster, NODE_NAMES } from '../testing/cluster';

/*
 * The announcer against the Linux ARP/NDP stack: a bridge joining a client namespace
 * and three node namespaces, one real agent process per node (SIGKILL is a node
 * death), TEST-NET addresses only. Needs root (network namespaces) and libpcap.
 */
const VIP4 = '192.0.2.50';
const VIP6 = '2001:db8::50';
const VIPS = [VIP4, VIP6].map(address => ({ address, nodes: NODE_NAMES }));

const canRun = process.getuid?.() === 0;
const describeNetns = canRun ? describe : describe.skip;
if (!canRun) {
  // eslint-disable-next-line no-console
  console.warn('L2 namespace tests skipped: they need root for ip netns');
}

jest.setTimeout(120_000);

/*
 * `npm test` runs every workspace's suites at once on two cores: five missed beats
 * keep a starved event loop from looking like a dead node. Timing is the bench's job.
 */
const SETTINGS = { heartbeat: { missedBeats: 5 } };

describeNetns('L2 announcements in network namespaces', () => {
  const cluster = new L2Cluster();
  const macOf = (name: string) => cluster.lab.member(name).mac;
  const client = () => cluster.lab.member('client').netns;

  const localAddresses = async (name: string) => {
    const { stdout } = await cluster.lab.ip(cluster.lab.member(name).netns, [
      '-j',
      'addr',
      'show',
      'dev',
      'lo',
    ]);
    const [lo] = JSON.parse(stdout) as Array<{
      addr_info: Array<{ local: string }>;
    }>;
    return lo.addr_info.map(info => info.local);
  };
  const waitUntil = async (condition: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await condition()); i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    expect(await condition()).toBe(true);
  };

  beforeAll(async () => {
    await cluster.create();
  });

  afterEach(async () => {
    await cluster.stopAgents();
    for (const name of NODE_NAMES) {
      await cluster.lab.setCable(name, true);
      await cluster.lab.setAttached(name, true);
    }
    await cluster.lab.ip(client(), ['neigh', 'flush', 'dev', 'eth0']);
  });

  afterAll(async () => {
    await cluster.destroy();
  });

  it('the client resolves each VIP to its owner and reaches the workload there', async () => {
    await cluster.startAll(VIPS, SETTINGS);
    for (const vip of [VIP4, VIP6]) {
      const owner = await cluster.waitForSingleOwner(vip, 10_000);
      expect(await cluster.fetchFromClient(vip)).toBe(owner);
      expect((await cluster.lab.neighbor('client', vip))?.lladdr).toBe(
        macOf(owner),
      );
    }

    const owner4 = await cluster.waitForSingleOwner(VIP4, 1000);
    const arping = await cluster.lab.exec(client(), 'arping', [
      '-c',
      '3',
      '-I',
      'eth0',
      VIP4,
    ]);
    const repliers = new Set(
      [...arping.stdout.matchAll(/bytes from ([0-9a-f:]{17})/g)].map(m => m[1]),
    );
    expect([...repliers]).toEqual([macOf(owner4)]);

    const owner6 = await cluster.waitForSingleOwner(VIP6, 1000);
    const ndisc = await cluster.lab.exec(client(), 'ndisc6', [
      '-1',
      VIP6,
      'eth0',
    ]);
    expect(ndisc.stdout).toContain(
      `Target link-layer address: ${macOf(owner6).toUpperCase()}`,
    );
  });

  it('moves the client to a new owner when the owner process is killed', async () => {
    await cluster.startAll(VIPS, SETTINGS);
    for (const vip of [VIP4, VIP6]) {
      const owner = await cluster.waitForSingleOwner(vip, 10_000);
      // Resolve first: Linux only lets gratuitous frames update entries it has.
      expect(await cluster.fetchFromClient(vip)).toBe(owner);
      const victim = cluster.agents.get(owner)!;
      victim.kill('SIGKILL');
      await victim.exited;
      const successor = await cluster.waitForSingleOwner(vip, 10_000);
      expect(successor).not.toBe(owner);
      await cluster.waitForClientNeighbor(vip, macOf(successor), 10_000);
      expect(await cluster.fetchFromClient(vip)).toBe(successor);
      const failovers = cluster.agents.get(successor)!.status!.failovers;
      expect(failovers).toContainEqual(
        expect.objectContaining({ address: vip, from: owner, to: successor }),
      );
    }
  });

  it('releases at once on a graceful stop', async () => {
    await cluster.startAll(VIPS, SETTINGS);
    const owner = await cluster.waitForSingleOwner(VIP4, 10_000);
    expect(await cluster.fetchFromClient(VIP4)).toBe(owner);
    const agent = cluster.agents.get(owner)!;
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const successor = await cluster.waitForSingleOwner(VIP4, 10_000);
    await cluster.waitForClientNeighbor(VIP4, macOf(successor), 10_000);
    expect(agent.lines).toContainEqual(
      expect.objectContaining({ type: 'stopped' }),
    );
  });

  it('moves the client to a new owner when the owner loses its link, and the old owner steps down', async () => {
    await cluster.startAll(VIPS, SETTINGS);
    for (const vip of [VIP4, VIP6]) {
      const owner = await cluster.waitForSingleOwner(vip, 10_000);
      expect(await cluster.fetchFromClient(vip)).toBe(owner);
      await cluster.lab.setCable(owner, false);
      const agent = cluster.agents.get(owner)!;
      await agent.waitFor(
        a => a.status?.linkUp === false && !a.announces(vip),
        10_000,
        'step down',
      );
      const successor = await cluster.waitForSingleOwnerAmong(
        vip,
        NODE_NAMES.filter(n => n !== owner),
        10_000,
      );
      await cluster.waitForClientNeighbor(vip, macOf(successor), 10_000);
      expect(await cluster.fetchFromClient(vip)).toBe(successor);
      // The VIP moved with the ownership: on the successor's lo, off the old owner's.
      expect(await localAddresses(successor)).toContain(vip);
      await waitUntil(async () => !(await localAddresses(owner)).includes(vip));
      await cluster.lab.setCable(owner, true);
      // Back only once everyone counts it again (it listens for a detection window
      // first); until then ownership is still moving.
      await cluster.waitForAllHealthy(10_000);
      await cluster.waitForSingleOwner(vip, 10_000);
    }
  });

  it('refuses an address a foreign device already holds, reports it, and claims it once freed', async () => {
    const foreign = cluster.lab.member('foreign');
    const held4 = '192.0.2.60';
    const held6 = '2001:db8::60';
    await cluster.lab.ip(foreign.netns, [
      'addr',
      'add',
      `${held4}/32`,
      'dev',
      'eth0',
    ]);
    await cluster.lab.ip(foreign.netns, [
      '-6',
      'addr',
      'add',
      `${held6}/128`,
      'dev',
      'eth0',
      'nodad',
    ]);
    try {
      await cluster.startAll(
        [held4, held6].map(address => ({ address, nodes: NODE_NAMES })),
        { ...SETTINGS, probe: { recheckMs: 1000 } },
      );
      for (const [name, agent] of cluster.agents) {
        for (const vip of [held4, held6]) {
          await agent.waitFor(
            a =>
              a.status?.vips.find(v => v.address === vip)?.state === 'conflict',
            10_000,
            `${name} reports the conflict on ${vip}`,
          );
          const status = agent.status!.vips.find(v => v.address === vip)!;
          expect(status.announcing).toBe(false);
          expect(status.conflict).toMatchObject({
            mac: foreign.mac,
            phase: 'probe',
          });
        }
      }
      const arping = await cluster.lab.exec(client(), 'arping', [
        '-c',
        '3',
        '-I',
        'eth0',
        held4,
      ]);
      const repliers = new Set(
        [...arping.stdout.matchAll(/bytes from ([0-9a-f:]{17})/g)].map(
          m => m[1],
        ),
      );
      expect([...repliers]).toEqual([foreign.mac]);
      const metrics = await cluster.lab.exec(client(), 'curl', [
        '-s',
        `http://${cluster.lab.member('node-a').ipv4}:8080/metrics`,
      ]);
      expect(metrics.stdout).toContain(
        `portico_l2_conflict{address="${held4}"} 1`,
      );
      expect(metrics.stdout).toMatch(
        new RegExp(
          `portico_l2_conflicts_total\\{address="${held6}",interface="eth0",phase="probe"\\} 1`,
        ),
      );

      await cluster.lab.ip(foreign.netns, [
        'addr',
        'del',
        `${held4}/32`,
        'dev',
        'eth0',
      ]);
      const owner = await cluster.waitForSingleOwner(held4, 10_000);
      expect(await cluster.fetchFromClient(held4)).toBe(owner);
    } finally {
      await cluster.lab
        .ip(foreign.netns, ['addr', 'flush', 'dev', 'eth0'])
        .catch(() => {});
    }
  });

  it('stops announcing when a foreign device claims the address, and resumes once it is gone', async () => {
    await cluster.startAll(VIPS, { ...SETTINGS, probe: { recheckMs: 1000 } });
    const owner = await cluster.waitForSingleOwner(VIP4, 10_000);
    const foreign = cluster.lab.member('foreign');
    // A gratuitous ARP for the VIP from a device that is not an agent.
    await cluster.lab
      .exec(foreign.netns, 'arping', [
        '-U',
        '-S',
        VIP4,
        '-c',
        '1',
        '-w',
        '0.2',
        '-I',
        'eth0',
        VIP4,
      ])
      .catch(() => {}); // arping exits non-zero: nobody answers a gratuitous request
    const agent = cluster.agents.get(owner)!;
    await agent.waitFor(
      a => a.lines.some(l => l.type === 'conflict' && l.address === VIP4),
      10_000,
      'conflict while announcing',
    );
    expect(agent.lines.find(l => l.type === 'conflict')).toMatchObject({
      address: VIP4,
      mac: foreign.mac,
      phase: 'announce',
      how: 'arp request',
    });
    // The foreign device does not hold the address, so the re-check clears it.
    await agent.waitFor(
      a =>
        a.announces(VIP4) &&
        a.status?.vips.find(v => v.address === VIP4)?.state === 'clear',
      10_000,
      'announcing again after the re-check',
    );
    expect(await cluster.fetchFromClient(VIP4)).toBe(owner);
  });

  it('resolves a partition to one owner when it heals', async () => {
    await cluster.startAll(VIPS, SETTINGS);
    const owner = await cluster.waitForSingleOwner(VIP4, 10_000);
    expect(await cluster.fetchFromClient(VIP4)).toBe(owner);

    // The owner's link stays up but it hears nobody: both sides announce.
    await cluster.lab.setAttached(owner, false);
    const others = NODE_NAMES.filter(n => n !== owner);
    const successor = await cluster.waitForSingleOwnerAmong(
      VIP4,
      others,
      10_000,
    );
    await cluster.waitForClientNeighbor(VIP4, macOf(successor), 10_000);
    await cluster.agents
      .get(owner)!
      .waitFor(
        a => a.announces(VIP4),
        10_000,
        'isolated owner keeps announcing',
      );

    await cluster.lab.setAttached(owner, true);
    await cluster.waitForAllHealthy(10_000);
    const final = await cluster.waitForSingleOwner(VIP4, 10_000);
    await cluster.waitForClientNeighbor(VIP4, macOf(final), 10_000);
    expect(await cluster.fetchFromClient(VIP4)).toBe(final);
    expect(cluster.announcers(VIP4)).toEqual([final]);
  });

  it('answers unicast neighbour solicitations (NUD probes) for an owned IPv6 VIP', async () => {
    await cluster.startAll(VIPS, SETTINGS);
    const owner = await cluster.waitForSingleOwner(VIP6, 10_000);
    expect(await cluster.fetchFromClient(VIP6)).toBe(owner);
    // In PROBE the client's kernel sends unicast solicitations only (no multicast
    // fallback with the default mcast_resolicit 0): REACHABLE again means the owner
    // answered them; unanswered, the entry would end FAILED.
    for (let i = 0; i < 3; i++) {
      await cluster.lab.ip(client(), [
        '-6',
        'neigh',
        'change',
        VIP6,
        'dev',
        'eth0',
        'lladdr',
        macOf(owner),
        'nud',
        'probe',
      ]);
      await waitUntil(async () =>
        ((await cluster.lab.neighbor('client', VIP6))?.state ?? []).includes(
          'REACHABLE',
        ),
      );
    }
  });

  it('with announce.refreshMs repeats gratuitous ARP and unsolicited NA while announcing', async () => {
    await cluster.startAll(VIPS, {
      ...SETTINGS,
      announce: { refreshMs: 300 },
    });
    const owner4 = await cluster.waitForSingleOwner(VIP4, 10_000);
    const owner6 = await cluster.waitForSingleOwner(VIP6, 10_000);
    // Well after the takeover bursts (3 × 300 ms): only the refresh sends now.
    await new Promise(resolve => setTimeout(resolve, 1500));
    const capture = (filter: string) =>
      cluster.lab.exec(
        client(),
        'timeout',
        ['5', 'tcpdump', '-i', 'eth0', '-c', '3', '-n', '-e', filter],
        10_000,
      );
    const [arp, na] = await Promise.all([
      capture(`arp and ether src ${macOf(owner4)}`),
      capture(
        `icmp6 and ip6[40] == 136 and ether src ${macOf(
          owner6,
        )} and ip6 dst ff02::1`,
      ),
    ]);
    expect(
      arp.stdout.match(new RegExp(VIP4.replace(/\./g, '\\.'), 'g'))?.length,
    ).toBeGreaterThanOrEqual(3);
    expect(na.stdout.split('\n').filter(l => l.includes(VIP6))).toHaveLength(3);
  });
});
