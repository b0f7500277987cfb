import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { NetnsLab, stopChild } from '../netnsLab';
import { normalizeCommunity } from './types';
import type { RouterConfig, RouterHarness, RouterRoute } from './types';

const run = promisify(execFile);

export function frrConfig(c: RouterConfig): string {
  const lines = [
    'frr defaults traditional',
    `router bgp ${c.asn}`,
    ` bgp router-id ${c.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
  ];
  for (const n of c.neighbors) {
    lines.push(` neighbor ${n.address} remote-as ${n.asn}`);
    lines.push(` neighbor ${n.address} update-source ${n.localAddress}`);
    lines.push(
      ` neighbor ${n.address} timers ${Math.max(
        1,
        Math.floor(c.holdTime / 3),
      )} ${c.holdTime}`,
    );
    lines.push(` neighbor ${n.address} timers connect 1`);
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    lines.push(` address-family ${family} unicast`);
    for (const n of c.neighbors.filter(x => x.family === family)) {
      lines.push(`  neighbor ${n.address} activate`);
    }
    lines.push(' exit-address-family');
  }
  return `${lines.join('\n')}\n`;
}

interface FrrPath {
  aspath?: { segments?: Array<{ list: number[] }> };
  nexthops?: Array<{ ip: string }>;
  locPrf?: number;
  community?: { string: string };
  largeCommunity?: { string: string };
}

/**
 * Parses `show bgp <family> unicast json detail` (FRR 8.4): each prefix maps to
 * a header object followed by its paths.
 */
export function parseFrrRoutes(json: string): RouterRoute[] {
  const doc = JSON.parse(json || '{}') as {
    routes?: Record<string, FrrPath[] | { paths: FrrPath[] }>;
  };
  const out: RouterRoute[] = [];
  for (const [prefix, entry] of Object.entries(doc.routes ?? {})) {
    const paths = Array.isArray(entry) ? entry : entry.paths;
    for (const p of paths) {
      if (!p.nexthops) continue;
      out.push({
        prefix,
        nextHop: p.nexthops?.[0]?.ip,
        asPath: (p.aspath?.segments ?? []).flatMap(s => s.list),
        localPref: p.locPrf,
        communities: (p.community?.string.split(' ').filter(Boolean) ?? []).map(
          normalizeCommunity,
        ),
        largeCommunities:
          p.largeCommunity?.string.split(' ').filter(Boolean) ?? [],
      });
    }
  }
  return out;
}

/**
 * FRR's bgpd alone (`bgpd -Z`, no zebra) in a lab namespace. `-S` keeps it
 * root so it needs no folders owned by `frr`; the vty socket lives in `dir`.
 */
export class FrrRouter implements RouterHarness {
  readonly name = 'frr';
  private child?: ChildProcess;
  private readonly conf: string;
  readonly log: string[] = [];

  constructor(
    private readonly lab: NetnsLab,
    private readonly ns: string,
    config: RouterConfig | string,
    private readonly dir: string,
  ) {
    this.conf = path.join(dir, 'bgpd.conf');
    writeFileSync(
      this.conf,
      typeof config === 'string' ? config : frrConfig(config),
    );
  }

  async start(): Promise<void> {
    this.child = this.lab.spawn(this.ns, '/usr/lib/frr/bgpd', [
      '-Z',
      '-S',
      '-n',
      '-f',
      this.conf,
      '-i',
      path.join(this.dir, 'bgpd.pid'),
      '--vty_socket',
      this.dir,
      '-P',
      '0',
      '--log',
      'stdout',
    ]);
    this.child.stdout!.on('data', d => this.log.push(String(d)));
    this.child.stderr!.on('data', d => this.log.push(String(d)));
    for (let i = 0; i < 50; i++) {
      if (await this.vtysh('show bgp summary json').catch(() => '')) return;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`bgpd did not start: ${this.log.join('')}`);
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
    this.child = undefined;
  }

  /** vtysh reaches bgpd over its unix socket, so it needs no namespace. */
  async vtysh(command: string): Promise<string> {
    const { stdout } = await run(
      'vtysh',
      ['--vty_socket', this.dir, '-d', 'bgpd', '-c', command],
      { timeout: 20000, maxBuffer: 512 * 1024 * 1024 },
    );
    return stdout;
  }

  async routes(family: 'ipv4' | 'ipv6'): Promise<RouterRoute[]> {
    return parseFrrRoutes(
      await this.vtysh(`show bgp ${family} unicast json detail`),
    );
  }

  async established(): Promise<string[]> {
    const doc = JSON.parse(
      await this.vtysh('show bgp neighbors json'),
    ) as Record<string, { bgpState?: string }>;
    return Object.entries(doc)
      .filter(([, n]) => n.bgpState === 'Established')
      .map(([addr]) => addr);
  }
}
