import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetnsLab, stopChild } from '../netnsLab';
import type { RouterConfig, RouterHarness, RouterRoute } from './types';

export function gobgpConfig(c: RouterConfig): string {
  const neighbors = c.neighbors.map(
    n => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n.address}"
    peer-as = ${n.asn}
  [neighbors.transport.config]
    local-address = "${n.localAddress}"
  [neighbors.timers.config]
    hold-time = ${c.holdTime}
    keepalive-interval = ${Math.max(1, Math.floor(c.holdTime / 3))}
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "${n.family}-unicast"
`,
  );
  return `[global.config]
  as = ${c.asn}
  router-id = "${c.routerId}"
${neighbors.join('')}`;
}

interface GobgpPath {
  nlri: { prefix: string };
  attrs: Array<{
    type: number;
    as_paths?: Array<{ asns: number[] }>;
    nexthop?: string;
    value?:
      | number
      | Array<{ ASN: number; LocalData1: number; LocalData2: number }>;
    communities?: number[];
  }>;
}

/** Parses `gobgp global rib -j` (GoBGP 3.x JSON: prefix → paths). */
export function parseGobgpRib(json: string): RouterRoute[] {
  const rib = JSON.parse(json || '{}') as Record<string, GobgpPath[]>;
  const out: RouterRoute[] = [];
  for (const [prefix, paths] of Object.entries(rib)) {
    for (const p of paths) {
      const r: RouterRoute = {
        prefix,
        asPath: [],
        communities: [],
        largeCommunities: [],
      };
      for (const a of p.attrs) {
        if (a.type === 2) r.asPath = (a.as_paths ?? []).flatMap(s => s.asns);
        if (a.type === 3) r.nextHop = a.nexthop;
        if (a.type === 14) r.nextHop = a.nexthop;
        if (a.type === 5 && typeof a.value === 'number') r.localPref = a.value;
        if (a.type === 8) {
          r.communities = (a.communities ?? []).map(
            n => `${n >>> 16}:${n & 0xffff}`,
          );
        }
        if (a.type === 32) {
          r.largeCommunities = (Array.isArray(a.value) ? a.value : []).map(
            v => `${v.ASN}:${v.LocalData1}:${v.LocalData2}`,
          );
        }
      }
      out.push(r);
    }
  }
  return out;
}

/** gobgpd (`gobgpd -f CONF -t toml`) in a lab namespace; `gobgp` via ip netns exec. */
export class GobgpRouter implements RouterHarness {
  readonly name = 'gobgp';
  private child?: ChildProcess;
  private readonly conf: string;
  readonly log: string[] = [];

  constructor(
    private readonly lab: NetnsLab,
    private readonly ns: string,
    config: RouterConfig | string,
    dir: string,
  ) {
    this.conf = path.join(dir, 'gobgpd.toml');
    writeFileSync(
      this.conf,
      typeof config === 'string' ? config : gobgpConfig(config),
    );
  }

  async start(): Promise<void> {
    this.child = this.lab.spawn(this.ns, 'gobgpd', [
      '-f',
      this.conf,
      '-t',
      'toml',
    ]);
    this.child.stdout!.on('data', d => this.log.push(String(d)));
    this.child.stderr!.on('data', d => this.log.push(String(d)));
    for (let i = 0; i < 50; i++) {
      if (await this.gobgp(['global']).catch(() => '')) return;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`gobgpd did not start: ${this.log.join('')}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
    this.child = undefined;
  }

  gobgp(args: string[], timeoutMs = 20000): Promise<string> {
    return this.lab.exec(this.ns, 'gobgp', args, timeoutMs);
  }

  async routes(family: 'ipv4' | 'ipv6'): Promise<RouterRoute[]> {
    return parseGobgpRib(
      await this.gobgp(['global', 'rib', '-a', family, '-j']),
    );
  }

  async established(): Promise<string[]> {
    const list = JSON.parse(await this.gobgp(['neighbor', '-j'])) as Array<{
      state: { neighbor_address: string; session_state: number };
    }>;
    // session_state 6 is ESTABLISHED in GoBGP's API enum.
    return list
      .filter(n => n.state.session_state === 6)
      .map(n => n.state.neighbor_address);
  }
}
