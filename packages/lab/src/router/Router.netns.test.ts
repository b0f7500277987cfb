/*
 * The lab router against real BGP peers: BIRD 2 in two node namespaces stands in
 * for the speakers and announces one VIP; the router must hold one ECMP route with
 * both nodes as next hops, route the client to the VIP, and drop a node's next hop
 * when that node's BGP speaker dies. Needs root (network namespaces).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execIn, ipIn, waitFor } from '../exec';
import { buildNetwork, destroyNamespaces, LB_INTERFACE } from '../network';
import { LabNode, NODE_ASN, planTopology, ROUTER_ASN } from '../topology';
import { Router } from './Router';

const VIP = '203.0.113.10';

function standInSpeaker(
  dir: string,
  node: LabNode,
  routerAddress: string,
): ChildProcess {
  const config = join(dir, `${node.name}.conf`);
  writeFileSync(
    config,
    `router id ${node.address};
protocol device {}
protocol static { ipv4; route ${VIP}/32 blackhole; }
protocol bgp uplink {
  local ${node.address} as ${NODE_ASN};
  neighbor ${routerAddress} as ${ROUTER_ASN};
  ipv4 { import none; export all; };
}
`,
  );
  return spawn(
    'ip',
    [
      'netns',
      'exec',
      node.netns,
      'bird',
      '-f',
      '-c',
      config,
      '-s',
      join(dir, `${node.name}.ctl`),
    ],
    { stdio: 'ignore' },
  );
}

describe('the lab router', () => {
  const topology = planTopology();
  const dir = mkdtempSync(join(tmpdir(), 'portico-lab-router-'));
  const router = new Router(topology, dir);
  const speakers: ChildProcess[] = [];

  beforeAll(async () => {
    await buildNetwork(topology);
    await router.start();
  }, 30_000);

  afterAll(async () => {
    speakers.forEach(s => s.kill('SIGKILL'));
    await router.stop();
    await destroyNamespaces(topology.namespaces);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('merges the routes of two nodes into one ECMP route, and drops a dead node', async () => {
    const [a, b] = topology.nodes;
    for (const node of [a, b]) {
      await ipIn(node.netns, ['addr', 'add', `${VIP}/32`, 'dev', LB_INTERFACE]);
      speakers.push(standInSpeaker(dir, node, topology.router.segmentAddress));
    }
    const hops = await waitFor(
      'two next hops',
      async () => {
        const h = await router.nextHops(VIP);
        return h.length === 2 ? h : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(hops).toEqual([a.address, b.address]);
    expect(await router.routedTo(VIP)).toEqual([a.name, b.name]);
    expect((await router.establishedNodes()).sort()).toEqual([a.name, b.name]);
    await execIn(topology.client.netns, 'ping', ['-c', '1', '-W', '2', VIP]);

    speakers[0].kill('SIGKILL');
    const left = await waitFor(
      'one next hop',
      async () => {
        const h = await router.nextHops(VIP);
        return h.length === 1 ? h : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(left).toEqual([b.address]);
  }, 60_000);
});
