/**
 * Captures what BIRD, GoBGP and FRR send to the agent and prints it as a
 * TypeScript module of hex fixtures (codec/fixtures/routers.ts was made with
 * it). Each router exports 198.51.100.0/24 and 2001:db8:ff::/48 with community
 * 65000:42 and large community 65000:1:42 over eBGP sessions to the agent;
 * tcpdump records the agent's side of the link; the router is then stopped to
 * record its NOTIFICATION. Run as root:
 *
 *   npx tsx src/bgp/testing/captureFixtures.ts > src/bgp/codec/fixtures/routers.ts
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageSplitter } from '../codec';
import { AgentClient } from './agentClient';
import { eventually, NetnsLab, stopChild } from './netnsLab';
import { BirdRouter } from './routers/bird';
import { FrrRouter } from './routers/frr';
import { GobgpRouter } from './routers/gobgp';
import type { RouterHarness } from './routers/types';

const NEIGHBORS = [
  {
    address: '192.0.2.10',
    asn: 64512,
    family: 'ipv4' as const,
    localAddress: '192.0.2.1',
  },
  {
    address: '2001:db8::10',
    asn: 64512,
    family: 'ipv6' as const,
    localAddress: '2001:db8::1',
  },
];
const BASE = {
  asn: 65000,
  routerId: '192.0.2.1',
  holdTime: 9,
  neighbors: NEIGHBORS,
};

const BIRD_CONF = `router id 192.0.2.1;
protocol device {}
protocol static s4 { ipv4; route 198.51.100.0/24 blackhole; }
protocol static s6 { ipv6; route 2001:db8:ff::/48 blackhole; }
filter add_tags { bgp_community.add((65000,42)); bgp_large_community.add((65000,1,42)); accept; }
protocol bgp n0 { local 192.0.2.1 as 65000; neighbor 192.0.2.10 as 64512; hold time 9;
  ipv4 { import none; export filter add_tags; }; }
protocol bgp n1 { local 2001:db8::1 as 65000; neighbor 2001:db8::10 as 64512; hold time 9;
  ipv6 { import none; export filter add_tags; }; }
`;

const FRR_CONF = `frr defaults traditional
route-map TAG permit 10
 set community 65000:42
 set large-community 65000:1:42
router bgp 65000
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor 192.0.2.10 remote-as 64512
 neighbor 192.0.2.10 timers 3 9
 neighbor 2001:db8::10 remote-as 64512
 neighbor 2001:db8::10 timers 3 9
 address-family ipv4 unicast
  network 198.51.100.0/24 route-map TAG
  neighbor 192.0.2.10 activate
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:ff::/48 route-map TAG
  neighbor 2001:db8::10 activate
 exit-address-family
`;

/** TCP payloads from port 179 to the agent, per connection, from a pcap file. */
function routerStreams(pcap: Buffer): Map<string, Buffer> {
  const segs = new Map<string, Map<number, Buffer>>();
  let off = 24;
  while (off + 16 <= pcap.length) {
    const caplen = pcap.readUInt32LE(off + 8);
    const pkt = pcap.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    const etherType = pkt.readUInt16BE(12);
    let ip = pkt.subarray(14);
    let tcp: Buffer;
    let src: string;
    if (etherType === 0x0800 && ip[9] === 6) {
      const ihl = (ip[0] & 15) * 4;
      tcp = ip.subarray(ihl, ip.readUInt16BE(2));
      src = [...ip.subarray(12, 16)].join('.');
    } else if (etherType === 0x86dd && ip[6] === 6) {
      ip = ip.subarray(0, 40 + ip.readUInt16BE(4));
      tcp = ip.subarray(40);
      src = ip.subarray(8, 24).toString('hex');
    } else continue;
    if (tcp.readUInt16BE(0) !== 179) continue;
    const payload = tcp.subarray((tcp[12] >> 4) * 4);
    if (!payload.length) continue;
    const key = `${src}:${tcp.readUInt16BE(2)}`;
    if (!segs.has(key)) segs.set(key, new Map());
    segs.get(key)!.set(tcp.readUInt32BE(4), Buffer.from(payload));
  }
  const out = new Map<string, Buffer>();
  for (const [key, m] of segs) {
    const ordered = [...m.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
    out.set(key, Buffer.concat(ordered));
  }
  return out;
}

async function capture(
  name: string,
  make: (lab: NetnsLab, dir: string) => RouterHarness,
  afterStart?: (r: RouterHarness) => Promise<void>,
): Promise<string[]> {
  const lab = new NetnsLab('cap');
  const dir = mkdtempSync(
    path.join(os.tmpdir(), `capture-${name.split(' ')[0]}-`),
  );
  try {
    await lab.addNamespace('agent');
    await lab.addNamespace('rtr');
    const [ifAgent] = await lab.link(
      'agent',
      'rtr',
      ['192.0.2.10/24', '2001:db8::10/64'],
      ['192.0.2.1/24', '2001:db8::1/64'],
    );
    const pcapFile = path.join(dir, 'agent.pcap');
    const dump: ChildProcess = lab.spawn('agent', 'tcpdump', [
      '-i',
      ifAgent,
      '-U',
      '-s',
      '0',
      '-w',
      pcapFile,
      'tcp port 179',
    ]);
    await new Promise(r => setTimeout(r, 1000));
    const router = make(lab, dir);
    await router.start();
    await afterStart?.(router);
    const agent = AgentClient.start(lab, 'agent');
    const peer = {
      myASN: 64512,
      peerASN: 65000,
      routerID: '192.0.2.10',
      holdTime: 9,
    };
    await agent.setPeers([
      {
        ...peer,
        name: 'v4',
        peerAddress: '192.0.2.1',
        sourceAddress: '192.0.2.10',
      },
      {
        ...peer,
        name: 'v6',
        peerAddress: '2001:db8::1',
        sourceAddress: '2001:db8::10',
      },
    ]);
    await agent.waitEstablished(['v4', 'v6'], 30000);
    await new Promise(r => setTimeout(r, 4000)); // updates and a keepalive round
    await router.stop();
    await eventually(async () => false, 1000);
    await stopChild(dump);
    const lines: string[] = [];
    for (const [conn, stream] of routerStreams(readFileSync(pcapFile))) {
      const family = conn.includes('.') ? 'IPv4' : 'IPv6';
      const seen = new Set<number>();
      for (const msg of new MessageSplitter().push(stream)) {
        const type = msg[18];
        // One of each type per session, plus every UPDATE.
        if (seen.has(type) && type !== 2) continue;
        seen.add(type);
        lines.push(
          `  // ${name}, ${family} session, message type ${type}\n  ['${name}', '${family}', '${msg.toString(
            'hex',
          )}'],`,
        );
      }
    }
    return lines;
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const lines = [
    ...(await capture(
      'BIRD 2.0.12',
      (lab, dir) => new BirdRouter(lab, 'rtr', BIRD_CONF, dir),
    )),
    ...(await capture(
      'GoBGP 3.10.0',
      (lab, dir) => new GobgpRouter(lab, 'rtr', BASE, dir),
      async r => {
        const g = r as GobgpRouter;
        await g.gobgp([
          'global',
          'rib',
          'add',
          '198.51.100.0/24',
          'community',
          '65000:42',
          'large-community',
          '65000:1:42',
          '-a',
          'ipv4',
        ]);
        await g.gobgp([
          'global',
          'rib',
          'add',
          '2001:db8:ff::/48',
          'community',
          '65000:42',
          'large-community',
          '65000:1:42',
          '-a',
          'ipv6',
        ]);
      },
    )),
    ...(await capture(
      'FRR 8.4.4',
      (lab, dir) => new FrrRouter(lab, 'rtr', FRR_CONF, dir),
    )),
  ];
  process.stdout.write(`/**
 * BGP messages captured from real routers (Debian 12 packages) with tcpdump on
 * the agent's side of a veth link in a network namespace, by
 * src/bgp/testing/captureFixtures.ts: each router announces 198.51.100.0/24
 * and 2001:db8:ff::/48 with community 65000:42 and large community 65000:1:42
 * over eBGP (router AS 65000, agent AS 64512), then is stopped (SIGTERM).
 * Entries: [router, session family, whole message as hex].
 */
export const ROUTER_MESSAGES: Array<[string, string, string]> = [
${lines.join('\n')}
];
`);
}

main().catch(e => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
