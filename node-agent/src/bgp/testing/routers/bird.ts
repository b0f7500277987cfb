import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { NetnsLab, stopChild } from '../netnsLab';
import type { RouterConfig, RouterHarness, RouterRoute } from './types';

const run = promisify(execFile);

export function birdConfig(c: RouterConfig): string {
  const protocols = c.neighbors.map((n, i) => {
    const ibgp = n.asn === c.asn;
    const channel = `${n.family} { import all; export none; };`;
    return `protocol bgp n${i} {
  local ${n.localAddress} as ${c.asn};
  neighbor ${n.address} as ${n.asn};
  hold time ${c.holdTime};${ibgp ? '\n  direct;' : ''}
  keepalive time ${Math.max(1, Math.floor(c.holdTime / 3))};
  connect retry time 1;
  error wait time 1, 5;
  ${channel}
}`;
  });
  return `router id ${c.routerId};
protocol device { scan time 1; }
${protocols.join('\n')}
`;
}

/** Parses `birdc show route all` into routes (BIRD 2.0 output format). */
export function parseBirdRoutes(text: string): RouterRoute[] {
  const out: RouterRoute[] = [];
  let cur: RouterRoute | undefined;
  let lastPrefix = '';
  for (const line of text.split('\n')) {
    const head =
      /^(\S+\/\d+)\s+unicast/.exec(line) ?? /^\s+unicast \[/.exec(line);
    if (head) {
      if (head[1]) lastPrefix = head[1];
      cur = {
        prefix: lastPrefix,
        asPath: [],
        communities: [],
        largeCommunities: [],
      };
      out.push(cur);
      continue;
    }
    const m = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (!m || !cur) continue;
    const [, key, value] = m;
    if (key === 'next_hop') cur.nextHop = value.split(' ')[0];
    if (key === 'local_pref') cur.localPref = Number(value);
    if (key === 'as_path')
      cur.asPath = value.split(/\s+/).filter(Boolean).map(Number);
    if (key === 'community') {
      cur.communities = [...value.matchAll(/\((\d+),(\d+)\)/g)].map(
        x => `${x[1]}:${x[2]}`,
      );
    }
    if (key === 'large_community') {
      cur.largeCommunities = [
        ...value.matchAll(/\((\d+), (\d+), (\d+)\)/g),
      ].map(x => `${x[1]}:${x[2]}:${x[3]}`);
    }
  }
  return out;
}

/** BIRD 2 (`bird -f -c CONF -s SOCK`) in a lab namespace. */
export class BirdRouter implements RouterHarness {
  readonly name = 'bird';
  private child?: ChildProcess;
  readonly socket: string;
  private readonly conf: string;
  readonly log: string[] = [];

  constructor(
    private readonly lab: NetnsLab,
    private readonly ns: string,
    config: RouterConfig | string,
    dir: string,
  ) {
    this.conf = path.join(dir, 'bird.conf');
    this.socket = path.join(dir, 'bird.ctl');
    writeFileSync(
      this.conf,
      typeof config === 'string' ? config : birdConfig(config),
    );
  }

  async start(): Promise<void> {
    this.child = this.lab.spawn(this.ns, 'bird', [
      '-f',
      '-c',
      this.conf,
      '-s',
      this.socket,
    ]);
    this.child.stderr!.on('data', d => this.log.push(String(d)));
    for (let i = 0; i < 50; i++) {
      if (await this.birdc(['show', 'status']).catch(() => '')) return;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`bird did not start: ${this.log.join('')}`);
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
    this.child = undefined;
  }

  /** SIGKILL, as a crash: no NOTIFICATION goes out. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c) return;
    const exited = new Promise(r => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** birdc talks over a unix socket, so it needs no namespace. */
  async birdc(args: string[]): Promise<string> {
    const { stdout } = await run('birdc', ['-s', this.socket, ...args], {
      timeout: 20000,
      maxBuffer: 512 * 1024 * 1024,
    });
    return stdout;
  }

  async routes(family: 'ipv4' | 'ipv6'): Promise<RouterRoute[]> {
    const table = family === 'ipv4' ? 'master4' : 'master6';
    return parseBirdRoutes(
      await this.birdc(['show', 'route', 'all', 'table', table]),
    );
  }

  /** Number of routes in a table, without listing them (for 100k). */
  async count(family: 'ipv4' | 'ipv6'): Promise<number> {
    const table = family === 'ipv4' ? 'master4' : 'master6';
    const out = await this.birdc(['show', 'route', 'table', table, 'count']);
    const m = /(\d+) of \d+ routes/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  async established(): Promise<string[]> {
    const out = await this.birdc(['show', 'protocols', 'all']);
    const up: string[] = [];
    for (const block of out.split(/\n(?=n\d+\s)/)) {
      if (/^n\d+\s+BGP.*\bEstablished\b/m.test(block)) {
        const m = /Neighbor address:\s+(\S+)/.exec(block);
        if (m) up.push(m[1]);
      }
    }
    return up;
  }
}
