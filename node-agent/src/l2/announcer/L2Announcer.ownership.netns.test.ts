import { L2Vip } from '../config';
import { AgentProcess } from '../testing/agentProcess';
import { L2Cluster, NODE_NAMES } from '../testing/cluster';

/*
 * Non-revertive ownership with real agent processes in namespaces: a node that
 * dies moves its VIPs once, and moves nothing when it comes back; with a
 * preemption delay the preferred node takes a VIP back once, after that delay.
 * Needs root.
 */
const VIP4 = '192.0.2.50';

const canRun = process.getuid?.() === 0;
const describeNetns = canRun ? describe : describe.skip;

jest.setTimeout(180_000);

/** Five missed beats: `npm test` runs suites in parallel on two cores. */
const HEARTBEAT = { heartbeat: { missedBeats: 5 } };
const DETECTION_MS = 100 * 5;

describeNetns('L2 ownership in network namespaces', () => {
  const cluster = new L2Cluster();
  const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
  const failoversOf = (agent: AgentProcess) =>
    agent.status?.failovers.filter(f => f.address === VIP4) ?? [];

  /** Restarts a killed node and waits until every agent counts it again. */
  const restore = async (
    name: string,
    vips: L2Vip[],
    settings: Record<string, unknown>,
  ) => {
    cluster.start(name, vips, settings);
    await cluster.waitForAllHealthy(30_000);
  };

  beforeAll(async () => {
    await cluster.create();
  });

  afterEach(async () => {
    await cluster.stopAgents();
  });

  afterAll(async () => {
    await cluster.destroy();
  });

  it('moves a VIP exactly once per node death, and not back when the node returns', async () => {
    const vips = [{ address: VIP4, nodes: NODE_NAMES }];
    await cluster.startAll(vips, HEARTBEAT);
    let owner = await cluster.waitForSingleOwner(VIP4, 10_000);
    // Resolve first: Linux only lets gratuitous frames update entries it has.
    expect(await cluster.fetchFromClient(VIP4)).toBe(owner);
    for (let round = 0; round < 4; round++) {
      const dying = owner;
      const survivors = NODE_NAMES.filter(n => n !== dying);
      const before = new Map(
        survivors.map(n => [n, failoversOf(cluster.agents.get(n)!).length]),
      );
      const victim = cluster.agents.get(owner)!;
      victim.kill('SIGKILL');
      await victim.exited;
      const successor = await cluster.waitForSingleOwnerAmong(
        VIP4,
        survivors,
        10_000,
      );
      await restore(owner, vips, HEARTBEAT);
      // Long enough for a revertive election to have moved it back.
      await pause(3 * DETECTION_MS);
      expect(await cluster.waitForSingleOwner(VIP4, 1000)).toBe(successor);
      expect(cluster.announcers(VIP4)).toEqual([successor]);
      for (const name of survivors) {
        const moves = failoversOf(cluster.agents.get(name)!);
        expect(moves.length - before.get(name)!).toBe(1);
        expect(moves[moves.length - 1]).toMatchObject({
          from: owner,
          to: successor,
        });
      }
      // The returned node learned the owner from the beats and took nothing.
      const returned = cluster.agents.get(owner)!;
      expect(returned.status?.vips[0]?.owner).toBe(successor);
      expect(
        returned.lines.some(
          l => l.type === 'log' && l.message === 'announcing',
        ),
      ).toBe(false);
      owner = successor;
    }
    await cluster.waitForClientNeighbor(
      VIP4,
      cluster.lab.member(owner).mac,
      5000,
    );
    expect(await cluster.fetchFromClient(VIP4)).toBe(owner);
  });

  it('with preemptAfterMs the preferred node takes the VIP back once, after that delay', async () => {
    const preemptAfterMs = 1500;
    const preferred = 'node-a';
    const vips = [
      { address: VIP4, nodes: NODE_NAMES, nodeScores: { [preferred]: 10 } },
    ];
    const settings = { ...HEARTBEAT, preemptAfterMs };
    await cluster.startAll(vips, settings);
    // Whoever was ready first may hold it for a moment; the preferred node preempts.
    await cluster.agents
      .get(preferred)!
      .waitFor(a => a.announces(VIP4), 10_000, 'preferred node owns the VIP');
    expect(await cluster.waitForSingleOwner(VIP4, 5000)).toBe(preferred);
    expect(await cluster.fetchFromClient(VIP4)).toBe(preferred);

    const victim = cluster.agents.get(preferred)!;
    victim.kill('SIGKILL');
    await victim.exited;
    const others = NODE_NAMES.filter(n => n !== preferred);
    const successor = await cluster.waitForSingleOwnerAmong(
      VIP4,
      others,
      10_000,
    );
    const before = failoversOf(cluster.agents.get(successor)!).length;

    const returned = cluster.start(preferred, vips, settings);
    await returned.waitFor(
      a => a.status?.ready === true,
      30_000,
      'returned node ready',
    );
    const readyAt = Date.now();
    await returned.waitFor(a => a.announces(VIP4), 10_000, 'preemption');
    const waited = Date.now() - readyAt;
    // Its own clock decides: not before the delay (less the time its ready line
    // took to reach this process), and not much later.
    expect(waited).toBeGreaterThan(preemptAfterMs - 400);
    expect(waited).toBeLessThan(preemptAfterMs + 2000);
    expect(await cluster.waitForSingleOwner(VIP4, 5000)).toBe(preferred);
    await pause(3 * DETECTION_MS);
    expect(cluster.announcers(VIP4)).toEqual([preferred]);
    // On the successor: the move to it when the node died, and the one back. Once.
    const moves = failoversOf(cluster.agents.get(successor)!).slice(before);
    expect(moves).toEqual([
      expect.objectContaining({ from: successor, to: preferred }),
    ]);
    await cluster.waitForClientNeighbor(
      VIP4,
      cluster.lab.member(preferred).mac,
      5000,
    );
  });
});
