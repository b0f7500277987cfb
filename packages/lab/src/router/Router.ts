import { ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execIn, ipIn, waitFor } from '../exec';
import { Topology } from '../topology';
import { protocolName, renderBirdConfig } from './birdConfig';

/** The lab router: BIRD 2 in the router namespace, and what it routes. */
export class Router {
  private child?: ChildProcess;
  private output = '';

  constructor(
    private readonly topology: Topology,
    private readonly dir: string,
  ) {}

  get socket(): string {
    return join(this.dir, 'bird.ctl');
  }

  async start(): Promise<void> {
    const config = join(this.dir, 'bird.conf');
    await writeFile(config, renderBirdConfig(this.topology));
    this.child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.topology.router.netns,
        'bird',
        '-f',
        '-c',
        config,
        '-s',
        this.socket,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    await waitFor(
      'BIRD to answer on its control socket',
      () => this.birdc(['show', 'status']),
      {
        timeoutMs: 10_000,
      },
    );
  }

  /** `birdc` output, or undefined when BIRD does not answer. */
  async birdc(args: string[]): Promise<string | undefined> {
    return execIn(
      this.topology.router.netns,
      'birdc',
      ['-s', this.socket, ...args],
      5_000,
    ).catch(() => undefined);
  }

  /** Nodes whose BGP session with the router is Established. */
  async establishedNodes(): Promise<string[]> {
    const out = (await this.birdc(['show', 'protocols'])) ?? '';
    return this.topology.nodes
      .filter(node =>
        out
          .split('\n')
          .some(
            line =>
              line.startsWith(`${protocolName(node.name)} `) &&
              /Established/.test(line),
          ),
      )
      .map(node => node.name);
  }

  /**
   * The next hops of the router's kernel route to `address`/32: one per node for an
   * ECMP route, none when there is no such route.
   */
  async nextHops(address: string): Promise<string[]> {
    const out = await ipIn(this.topology.router.netns, [
      '-j',
      'route',
      'show',
      `${address}/32`,
    ]);
    const routes = JSON.parse(out || '[]') as Array<{
      dst: string;
      gateway?: string;
      nexthops?: Array<{ gateway: string }>;
    }>;
    const route = routes.find(
      r => r.dst === address || r.dst === `${address}/32`,
    );
    if (!route) return [];
    const hops =
      route.nexthops?.map(h => h.gateway) ??
      (route.gateway ? [route.gateway] : []);
    return hops.sort();
  }

  /** The node names behind `nextHops(address)`. */
  async routedTo(address: string): Promise<string[]> {
    const hops = await this.nextHops(address);
    return this.topology.nodes
      .filter(n => hops.includes(n.address))
      .map(n => n.name);
  }

  /** What BIRD printed lately, for failure messages. */
  log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
