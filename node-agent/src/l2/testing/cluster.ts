import { randomBytes } from 'crypto';
import { L2Vip } from '../config';
import { AgentProcess } from './agentProcess';
import { L2Lab } from './lab';

export const NODE_NAMES = ['node-a', 'node-b', 'node-c'];
export const WORKLOAD_PORT = 8080;

/**
 * A lab with a client and three node namespaces (plus an idle `foreign` one for
 * conflict tests), and helpers to run one agent process per node. Shared by the
 * namespace tests and the failover bench.
 */
export class L2Cluster {
  readonly lab = new L2Lab();
  readonly agents = new Map<string, AgentProcess>();
  private readonly key = randomBytes(32).toString('hex');

  async create(): Promise<void> {
    await this.lab.createBridge();
    await this.lab.addMember('client', 100);
    for (const [i, name] of NODE_NAMES.entries()) {
      await this.lab.addMember(name, 11 + i);
    }
    await this.lab.addMember('foreign', 200);
  }

  start(
    name: string,
    vips: L2Vip[],
    settings: Record<string, unknown> = {},
  ): AgentProcess {
    const member = this.lab.member(name);
    const agent = new AgentProcess(member.netns, {
      settings: {
        nodeName: name,
        interfaces: ['eth0'],
        localAddressInterface: 'lo',
        ...settings,
        heartbeat: {
          key: this.key,
          peers: NODE_NAMES.filter(n => n !== name).map(
            n => this.lab.member(n).ipv4,
          ),
          ...(settings.heartbeat as object | undefined),
        },
      },
      vips,
      workloadPort: WORKLOAD_PORT,
    });
    this.agents.set(name, agent);
    return agent;
  }

  /** Starts all three agents and waits until each sees all three healthy. */
  async startAll(
    vips: L2Vip[],
    settings: Record<string, unknown> = {},
  ): Promise<void> {
    for (const name of NODE_NAMES) {
      this.start(name, vips, settings);
    }
    await this.waitForAllHealthy(40_000);
  }

  /** Waits until every running agent is ready and counts all three nodes healthy. */
  async waitForAllHealthy(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.running().map(([, agent]) =>
        agent.waitFor(
          a =>
            a.status?.ready === true &&
            a.status.healthyNodes.length === NODE_NAMES.length,
          timeoutMs,
          'all three nodes healthy',
        ),
      ),
    );
  }

  running(): Array<[string, AgentProcess]> {
    return [...this.agents.entries()].filter(([, agent]) => agent.running);
  }

  /** Names of the running agents that announce `address` now. */
  announcers(address: string): string[] {
    return this.running()
      .filter(([, agent]) => agent.announces(address))
      .map(([name]) => name);
  }

  /** Waits until exactly one running agent announces `address` and all running agents agree on it. */
  async waitForSingleOwner(
    address: string,
    timeoutMs: number,
  ): Promise<string> {
    return this.waitForSingleOwnerAmong(address, NODE_NAMES, timeoutMs);
  }

  /**
   * Like waitForSingleOwner, counting only the running agents in `among` (the side
   * of a partition, or the nodes whose link is up).
   */
  async waitForSingleOwnerAmong(
    address: string,
    among: string[],
    timeoutMs: number,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const agents = this.running().filter(([name]) => among.includes(name));
      const announcers = agents
        .filter(([, a]) => a.announces(address))
        .map(([n]) => n);
      const owners = new Set(
        agents.map(
          ([, a]) => a.status?.vips.find(v => v.address === address)?.owner,
        ),
      );
      if (
        announcers.length === 1 &&
        owners.size === 1 &&
        owners.has(announcers[0])
      ) {
        return announcers[0];
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no single owner for ${address} among ${among}: announcers ${announcers}, owners ${[
            ...owners,
          ]}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  /** Waits until the client's neighbor entry for `address` has `mac`; returns ms waited. */
  async waitForClientNeighbor(
    address: string,
    mac: string,
    timeoutMs: number,
  ): Promise<number> {
    const started = Date.now();
    for (;;) {
      const entry = await this.lab.neighbor('client', address);
      if (entry?.lladdr === mac) {
        return Date.now() - started;
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `client neighbor entry for ${address} is ${JSON.stringify(
            entry,
          )}, expected ${mac}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }

  /** HTTP GET to the workload behind `address` from the client; the body names the node. */
  async fetchFromClient(address: string): Promise<string> {
    const host = address.includes(':') ? `[${address}]` : address;
    const { stdout } = await this.lab.exec(
      this.lab.member('client').netns,
      'curl',
      ['-s', '--max-time', '3', `http://${host}:${WORKLOAD_PORT}/`],
    );
    return stdout.trim();
  }

  async stopAgents(): Promise<void> {
    await Promise.all([...this.agents.values()].map(agent => agent.stop()));
    this.agents.clear();
  }

  async destroy(): Promise<void> {
    await this.stopAgents();
    await this.lab.destroy();
  }
}
