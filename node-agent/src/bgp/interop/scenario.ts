/* eslint-disable jest/no-export -- the shared scenario that each *.interop.test.ts runs */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient } from '../testing/agentClient';
import { eventually, NetnsLab } from '../testing/netnsLab';
import type {
  RouterConfig,
  RouterHarness,
  RouterRoute,
} from '../testing/routers/types';
import type { Route } from '../announcer/types';

/**
 * The interop scenario every router goes through, in one namespace topology
 * per test file: the agent namespace holds two IPv4 and two IPv6 addresses so
 * that one router can see it as an eBGP and an iBGP neighbour on each family.
 *
 *   agent ns                              router ns
 *   192.0.2.10 (eBGP, AS 64512)  ──veth──  192.0.2.1   (AS 65000)
 *   192.0.2.11 (iBGP, AS 65000)            2001:db8::1
 *   2001:db8::10 (eBGP, AS 4200000001), 2001:db8::11 (iBGP)
 *   192.0.2.12 (eBGP, passive: the router connects to the agent's listener)
 *
 * The agent listens on port 179 for every session, so the routers' own
 * connection attempts collide with the agent's and are resolved by RFC 4271 §6.8.
 */
export const HOLD_TIME = 9;
export const ROUTER_CONFIG: RouterConfig = {
  asn: 65000,
  routerId: '192.0.2.1',
  holdTime: HOLD_TIME,
  neighbors: [
    {
      address: '192.0.2.10',
      asn: 64512,
      family: 'ipv4',
      localAddress: '192.0.2.1',
    },
    {
      address: '192.0.2.11',
      asn: 65000,
      family: 'ipv4',
      localAddress: '192.0.2.1',
    },
    {
      address: '192.0.2.12',
      asn: 64512,
      family: 'ipv4',
      localAddress: '192.0.2.1',
    },
    {
      address: '2001:db8::10',
      asn: 4200000001,
      family: 'ipv6',
      localAddress: '2001:db8::1',
    },
    {
      address: '2001:db8::11',
      asn: 65000,
      family: 'ipv6',
      localAddress: '2001:db8::1',
    },
  ],
};

const common = { holdTime: HOLD_TIME };
export const AGENT_PEERS = [
  {
    ...common,
    name: 'ebgp4',
    myASN: 64512,
    peerASN: 65000,
    peerAddress: '192.0.2.1',
    sourceAddress: '192.0.2.10',
    routerID: '192.0.2.10',
  },
  {
    ...common,
    name: 'ibgp4',
    myASN: 65000,
    peerASN: 65000,
    peerAddress: '192.0.2.1',
    sourceAddress: '192.0.2.11',
    routerID: '192.0.2.11',
  },
  {
    ...common,
    name: 'passive4',
    myASN: 64512,
    peerASN: 65000,
    peerAddress: '192.0.2.1',
    sourceAddress: '192.0.2.12',
    routerID: '192.0.2.12',
    passive: true,
  },
  {
    ...common,
    name: 'ebgp6',
    myASN: 4200000001, // a 4-octet AS (RFC 6793)
    peerASN: 65000,
    peerAddress: '2001:db8::1',
    sourceAddress: '2001:db8::10',
    routerID: '192.0.2.10',
  },
  {
    ...common,
    name: 'ibgp6',
    myASN: 65000,
    peerASN: 65000,
    peerAddress: '2001:db8::1',
    sourceAddress: '2001:db8::11',
    routerID: '192.0.2.11',
  },
];
const NAMES = AGENT_PEERS.map(p => p.name);

export const ROUTES: Record<string, Route[]> = {
  ebgp4: [
    {
      prefix: '203.0.113.10/32',
      communities: ['65000:100', 'no-export'],
      largeCommunities: ['64512:1:2'],
    },
  ],
  ibgp4: [
    { prefix: '203.0.113.20/32', localPref: 250, communities: ['65000:200'] },
  ],
  passive4: [{ prefix: '203.0.113.30/32' }],
  ebgp6: [{ prefix: '2001:db8:100::10/128', largeCommunities: ['64512:6:6'] }],
  ibgp6: [{ prefix: '2001:db8:100::20/128', localPref: 300 }],
};

export interface InteropContext {
  lab: NetnsLab;
  dir: string;
  router: RouterHarness;
  agent: AgentClient;
}

function find(routes: RouterRoute[], prefix: string) {
  return routes.find(r => r.prefix === prefix);
}

async function announceAll(agent: AgentClient) {
  for (const [peer, routes] of Object.entries(ROUTES)) {
    await agent.setRoutes(peer, routes);
  }
  await agent.settled();
}

async function holds(router: RouterHarness, prefix: string, timeoutMs = 10000) {
  const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
  return eventually(
    async () => find(await router.routes(family), prefix),
    timeoutMs,
  );
}

async function lacks(router: RouterHarness, prefix: string, timeoutMs: number) {
  const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
  return eventually(
    async () => !find(await router.routes(family), prefix),
    timeoutMs,
  );
}

/** Registers the whole interop scenario for one router implementation. */
export function describeInterop(
  label: string,
  tag: string,
  makeRouter: (lab: NetnsLab, ns: string, dir: string) => RouterHarness,
) {
  describe(`interop with ${label}`, () => {
    const ctx = {} as InteropContext;

    beforeAll(async () => {
      ctx.lab = new NetnsLab(tag);
      ctx.dir = mkdtempSync(path.join(os.tmpdir(), `bgp-${tag}-`));
      await ctx.lab.addNamespace('agent');
      await ctx.lab.addNamespace('rtr');
      await ctx.lab.link(
        'agent',
        'rtr',
        [
          '192.0.2.10/24',
          '192.0.2.11/24',
          '192.0.2.12/24',
          '2001:db8::10/64',
          '2001:db8::11/64',
        ],
        ['192.0.2.1/24', '2001:db8::1/64'],
      );
      ctx.router = makeRouter(ctx.lab, 'rtr', ctx.dir);
      await ctx.router.start();
      ctx.agent = AgentClient.start(ctx.lab, 'agent', { listenPort: 179 });
      await ctx.agent.setPeers(AGENT_PEERS);
    }, 60000);

    afterAll(async () => {
      await ctx.lab?.destroy();
      if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
    }, 30000);

    it('establishes eBGP and iBGP sessions over IPv4 and IPv6', async () => {
      expect(await ctx.agent.waitEstablished(NAMES, 30000)).toBe(true);
      const up = await eventually(async () => {
        const e = await ctx.router.established();
        return e.length === 5 ? e : undefined;
      }, 10000);
      expect(up?.sort()).toEqual([
        '192.0.2.10',
        '192.0.2.11',
        '192.0.2.12',
        '2001:db8::10',
        '2001:db8::11',
      ]);
    }, 45000);

    it('announces VIPs the router reads back with communities, large communities and local-pref', async () => {
      await announceAll(ctx.agent);
      expect(await holds(ctx.router, '203.0.113.10/32')).toMatchObject({
        nextHop: '192.0.2.10',
        asPath: [64512],
        // no-export, as routers store it (RFC 1997 §3)
        communities: ['65000:100', '65535:65281'],
        largeCommunities: ['64512:1:2'],
      });
      expect(await holds(ctx.router, '203.0.113.20/32')).toMatchObject({
        nextHop: '192.0.2.11',
        asPath: [],
        localPref: 250,
        communities: ['65000:200'],
      });
      expect(await holds(ctx.router, '2001:db8:100::10/128')).toMatchObject({
        nextHop: '2001:db8::10',
        asPath: [4200000001],
        largeCommunities: ['64512:6:6'],
      });
      expect(await holds(ctx.router, '2001:db8:100::20/128')).toMatchObject({
        nextHop: '2001:db8::11',
        localPref: 300,
      });
      expect(await holds(ctx.router, '203.0.113.30/32')).toMatchObject({
        nextHop: '192.0.2.12',
        asPath: [64512],
      });
      const { peers } = await ctx.agent.status();
      expect(peers.map(p => [p.name, p.routesSent])).toEqual(
        NAMES.map(n => [n, 1]),
      );
    }, 30000);

    it('withdraws a released VIP and keeps the others', async () => {
      await ctx.agent.setRoutes('ebgp4', []);
      await ctx.agent.setRoutes('ebgp6', []);
      await ctx.agent.settled();
      expect(await lacks(ctx.router, '203.0.113.10/32', 10000)).toBe(true);
      expect(await lacks(ctx.router, '2001:db8:100::10/128', 10000)).toBe(true);
      expect(await holds(ctx.router, '203.0.113.20/32')).toBeDefined();
    }, 30000);

    it('re-establishes after the router restarts and announces again', async () => {
      await announceAll(ctx.agent);
      await ctx.router.stop();
      await ctx.router.start();
      expect(await ctx.agent.waitEstablished(NAMES, 40000)).toBe(true);
      for (const prefix of [
        '203.0.113.30/32',
        '203.0.113.10/32',
        '203.0.113.20/32',
        '2001:db8:100::10/128',
        '2001:db8:100::20/128',
      ]) {
        expect(await holds(ctx.router, prefix, 15000)).toBeDefined();
      }
    }, 70000);

    it('withdraws at once when the agent gets SIGTERM', async () => {
      const child = ctx.agent.child;
      const exited = new Promise<number | null>(r =>
        child.once('exit', code => r(code)),
      );
      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Well inside the hold time: the routes went because we withdrew them.
      expect(
        await lacks(ctx.router, '203.0.113.20/32', (HOLD_TIME * 1000) / 3),
      ).toBe(true);
      expect(await lacks(ctx.router, '2001:db8:100::20/128', 1000)).toBe(true);
      expect(Date.now() - t0).toBeLessThan((HOLD_TIME * 1000) / 2);
    }, 30000);

    it('keeps the routes until the hold timer expires when the agent dies silently', async () => {
      ctx.agent = AgentClient.start(ctx.lab, 'agent', { listenPort: 179 });
      await ctx.agent.setPeers(AGENT_PEERS);
      await announceAll(ctx.agent);
      expect(await ctx.agent.waitEstablished(NAMES, 40000)).toBe(true);
      expect(await holds(ctx.router, '203.0.113.20/32', 15000)).toBeDefined();
      // The node vanishes: nothing it sends reaches the router any more, not
      // even the FIN the kernel sends when the process is killed.
      await ctx.lab.exec('agent', 'ip', [
        'route',
        'add',
        'blackhole',
        '192.0.2.1/32',
      ]);
      await ctx.lab.exec('agent', 'ip', [
        '-6',
        'route',
        'add',
        'blackhole',
        '2001:db8::1/128',
      ]);
      const exited = new Promise(r => ctx.agent.child.once('exit', r));
      ctx.agent.child.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();
      await new Promise(r => setTimeout(r, 1000));
      expect(await holds(ctx.router, '203.0.113.20/32', 500)).toBeDefined();
      expect(
        await lacks(ctx.router, '203.0.113.20/32', (HOLD_TIME + 6) * 1000),
      ).toBe(true);
      expect(await lacks(ctx.router, '2001:db8:100::20/128', 5000)).toBe(true);
      expect(Date.now() - killedAt).toBeGreaterThan(2000);
    }, 90000);
  });
}
