import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient } from '../testing/agentClient';
import { eventually, interopUnavailable, NetnsLab } from '../testing/netnsLab';
import { BirdRouter } from '../testing/routers/bird';
import type { PeerConfig } from '../peerConfig';

/**
 * TCP-MD5 and TTL against BIRD 2 in namespaces:
 *
 *   agent ns                                       rtr ns (BIRD, AS 65000)
 *   192.0.2.10-12, 2001:db8::10,12  ──── veth ────  192.0.2.1, 192.0.2.2, 2001:db8::1
 *   198.51.100.10-11/25 ── mid ns (forwarding) ──   198.51.100.129/25
 *
 * BIRD asks for the password "right-secret" on the five sessions over the
 * direct link; the agent gives a wrong one on 192.0.2.2. The two sessions to
 * 198.51.100.129 cross the mid namespace: two hops away, so only the one with
 * `ebgpMultiHop` (TTL 255) can come up, the other sends with TTL 1.
 */
const HOLD = 9;
const RIGHT = 'right-secret';

const BIRD_SESSIONS = [
  // [BIRD local, neighbour, neighbour AS, family, extra]
  ['192.0.2.1', '192.0.2.10', 64512, 'ipv4', `password "${RIGHT}";`],
  ['192.0.2.2', '192.0.2.11', 64512, 'ipv4', `password "${RIGHT}";`],
  ['192.0.2.1', '192.0.2.12', 64512, 'ipv4', `password "${RIGHT}";`],
  ['2001:db8::1', '2001:db8::10', 64512, 'ipv6', `password "${RIGHT}";`],
  ['2001:db8::1', '2001:db8::12', 64512, 'ipv6', `password "${RIGHT}";`],
  ['198.51.100.129', '198.51.100.10', 64513, 'ipv4', 'multihop;'],
  ['198.51.100.129', '198.51.100.11', 64513, 'ipv4', 'multihop;'],
] as const;

function birdConf(): string {
  const protocols = BIRD_SESSIONS.map(
    ([local, neighbor, asn, family, extra], i) => `protocol bgp n${i} {
  local ${local} as 65000;
  neighbor ${neighbor} as ${asn};
  ${extra}
  hold time ${HOLD};
  keepalive time 3;
  connect retry time 1;
  error wait time 1, 5;
  ${family} { import all; export none; };
}`,
  );
  return `router id 192.0.2.1;
protocol device { scan time 1; }
protocol static { ipv4; route 198.51.100.0/25 via 198.51.100.130; }
${protocols.join('\n')}
`;
}

const common = { myASN: 64512, peerASN: 65000, holdTime: HOLD };
const PEERS: PeerConfig[] = [
  {
    ...common,
    name: 'md5v4',
    peerAddress: '192.0.2.1',
    sourceAddress: '192.0.2.10',
    routerID: '192.0.2.10',
    password: RIGHT,
  },
  {
    ...common,
    name: 'wrong',
    peerAddress: '192.0.2.2',
    sourceAddress: '192.0.2.11',
    routerID: '192.0.2.11',
    password: 'wrong-secret',
  },
  {
    ...common,
    name: 'passive4',
    peerAddress: '192.0.2.1',
    sourceAddress: '192.0.2.12',
    routerID: '192.0.2.12',
    password: RIGHT,
    passive: true,
  },
  {
    ...common,
    name: 'md5v6',
    peerAddress: '2001:db8::1',
    sourceAddress: '2001:db8::10',
    routerID: '192.0.2.10',
    password: RIGHT,
  },
  {
    ...common,
    name: 'passive6',
    peerAddress: '2001:db8::1',
    sourceAddress: '2001:db8::12',
    routerID: '192.0.2.12',
    password: RIGHT,
    passive: true,
  },
  {
    ...common,
    myASN: 64513,
    name: 'multihop',
    peerAddress: '198.51.100.129',
    sourceAddress: '198.51.100.10',
    routerID: '198.51.100.10',
    ebgpMultiHop: true,
  },
  {
    ...common,
    myASN: 64513,
    name: 'singlehop',
    peerAddress: '198.51.100.129',
    sourceAddress: '198.51.100.11',
    routerID: '198.51.100.11',
  },
];

const ROUTES: Record<string, string> = {
  md5v4: '203.0.113.10/32',
  wrong: '203.0.113.11/32',
  passive4: '203.0.113.12/32',
  md5v6: '2001:db8:100::10/128',
  passive6: '2001:db8:100::12/128',
  multihop: '203.0.113.20/32',
  singlehop: '203.0.113.21/32',
};

const why = interopUnavailable(['/usr/sbin/bird', '/usr/sbin/birdc']);
const describeIfRoot = why ? describe.skip : describe;

describeIfRoot(`TCP-MD5 and TTL with BIRD 2${why ? ` (${why})` : ''}`, () => {
  let lab: NetnsLab;
  let dir: string;
  let bird: BirdRouter;
  let agent: AgentClient;

  const holds = (prefix: string, timeoutMs = 10000) =>
    eventually(async () => {
      const routes = await bird.routes(prefix.includes(':') ? 'ipv6' : 'ipv4');
      return routes.find(r => r.prefix === prefix);
    }, timeoutMs);

  /** Samples the agent and BIRD for `ms`: true if `name` was ever up. */
  async function everUp(name: string, neighbor: string, ms: number) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const { peers } = await agent.status();
      if (peers.find(p => p.name === name)?.state === 'Established') {
        return true;
      }
      if ((await bird.established()).includes(neighbor)) return true;
      await new Promise(r => setTimeout(r, 250));
    }
    return false;
  }

  const md5Failures = async (ns: string) =>
    Number(
      /TcpExtTCPMD5Failure\s+(\d+)/.exec(
        await lab.exec(ns, 'nstat', ['-asz', 'TcpExtTCPMD5Failure']),
      )?.[1] ?? 0,
    );

  beforeAll(async () => {
    lab = new NetnsLab('md');
    dir = mkdtempSync(path.join(os.tmpdir(), 'bgp-md5-'));
    for (const ns of ['agent', 'rtr', 'mid']) await lab.addNamespace(ns);
    await lab.link(
      'agent',
      'rtr',
      [
        '192.0.2.10/24',
        '192.0.2.11/24',
        '192.0.2.12/24',
        '2001:db8::10/64',
        '2001:db8::12/64',
      ],
      ['192.0.2.1/24', '192.0.2.2/24', '2001:db8::1/64'],
    );
    await lab.link(
      'agent',
      'mid',
      ['198.51.100.10/25', '198.51.100.11/25'],
      ['198.51.100.1/25'],
    );
    await lab.link('mid', 'rtr', ['198.51.100.130/25'], ['198.51.100.129/25']);
    await lab.exec('mid', 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await lab.exec('agent', 'ip', [
      'route',
      'add',
      '198.51.100.128/25',
      'via',
      '198.51.100.1',
    ]);
    await lab.exec('rtr', 'ip', [
      'route',
      'add',
      '198.51.100.0/25',
      'via',
      '198.51.100.130',
    ]);
    bird = new BirdRouter(lab, 'rtr', birdConf(), dir);
    await bird.start();
    agent = AgentClient.start(lab, 'agent', { listenPort: 179 });
    await agent.setPeers(PEERS);
    for (const [peer, prefix] of Object.entries(ROUTES)) {
      await agent.setRoutes(peer, [{ prefix }]);
    }
  }, 60000);

  afterAll(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30000);

  it('establishes with the right password, dialing and accepting, over IPv4 and IPv6', async () => {
    expect(
      await agent.waitEstablished(
        ['md5v4', 'passive4', 'md5v6', 'passive6'],
        30000,
      ),
    ).toBe(true);
    const up = await eventually(async () => {
      const e = await bird.established();
      return ['192.0.2.10', '192.0.2.12', '2001:db8::10', '2001:db8::12'].every(
        a => e.includes(a),
      )
        ? e
        : undefined;
    }, 10000);
    expect(up).toBeDefined();
    for (const peer of ['md5v4', 'passive4', 'md5v6', 'passive6']) {
      expect(await holds(ROUTES[peer])).toMatchObject({ asPath: [64512] });
    }
  }, 50000);

  it('keeps one listener key per password peer address', async () => {
    const ss = await lab.exec('agent', 'ss', ['-tlnie', 'sport', '= :179']);
    expect(ss).toContain('192.0.2.1/32');
    expect(ss).toContain('192.0.2.2/32');
    expect(ss).toContain('2001:db8::1/128');
  });

  it('never establishes with a wrong password: the kernels drop the segments', async () => {
    const before = await md5Failures('rtr');
    expect(await everUp('wrong', '192.0.2.11', 8000)).toBe(false);
    // BIRD's kernel dropped the agent's SYNs signed with the wrong key, and
    // the agent's kernel dropped BIRD's.
    expect(await md5Failures('rtr')).toBeGreaterThan(before);
    expect(await md5Failures('agent')).toBeGreaterThan(0);
    expect(await holds(ROUTES.wrong, 500)).toBeUndefined();
    // The right-password sessions were not disturbed.
    const { peers } = await agent.status();
    expect(peers.find(p => p.name === 'md5v4')?.state).toBe('Established');
    expect(peers.find(p => p.name === 'passive6')?.state).toBe('Established');
  }, 20000);

  it('establishes a multi-hop eBGP session two hops away, not a single-hop one', async () => {
    expect(await agent.waitEstablished(['multihop'], 30000)).toBe(true);
    expect(await holds(ROUTES.multihop)).toMatchObject({
      nextHop: '198.51.100.10',
      asPath: [64513],
    });
    // TTL 1 expires at the mid namespace, both on the agent's connections and
    // on those it accepts from BIRD.
    expect(await everUp('singlehop', '198.51.100.11', 8000)).toBe(false);
    expect(await holds(ROUTES.singlehop, 500)).toBeUndefined();
    // Each timed-out connect closed its socket: never more than one pending.
    const pending = await lab.exec('agent', 'ss', [
      '-tanH',
      'state',
      'syn-sent',
      'src',
      '198.51.100.11',
    ]);
    expect(pending.trim().split('\n').filter(Boolean).length).toBeLessThan(2);
  }, 50000);

  it('removes the listener key of a deconfigured peer', async () => {
    await agent.setPeers(PEERS.filter(p => p.name !== 'wrong'));
    const ss = await lab.exec('agent', 'ss', ['-tlnie', 'sport', '= :179']);
    expect(ss).not.toContain('192.0.2.2/32');
    expect(ss).toContain('192.0.2.1/32');
    const { peers } = await agent.status();
    expect(peers.find(p => p.name === 'md5v4')?.state).toBe('Established');
  });
});
