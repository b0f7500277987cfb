import { ipIn, run, sysctlIn } from './exec';
import { LabNode, Topology } from './topology';

/**
 * Where a node holds LoadBalancer addresses so its kernel accepts their traffic
 * (kube-proxy's IPVS mode uses a dummy `kube-ipvs0`; kernels without the dummy
 * module, like CI's, only offer `lo`, which works the same with the ARP settings
 * below).
 */
export const LB_INTERFACE = 'lo';

/**
 * Builds the namespaces, links and routes of a planned topology. Nothing is added
 * to the root namespace: the only way in from it is the Kubernetes API relay over a
 * unix socket (kube/apiRelay.ts), and the portal stays on the root's loopback.
 */
export async function buildNetwork(topology: Topology): Promise<void> {
  for (const netns of topology.namespaces) {
    await run('ip', ['netns', 'add', netns]);
    await ipIn(netns, ['link', 'set', 'lo', 'up']);
  }

  const segment = topology.segmentNetns;
  await ipIn(segment, ['link', 'add', 'br0', 'type', 'bridge']);
  // No STP listening delay: ports forward as soon as they come up.
  await ipIn(segment, [
    'link',
    'set',
    'br0',
    'type',
    'bridge',
    'forward_delay',
    '0',
  ]);
  await ipIn(segment, ['link', 'set', 'br0', 'up']);

  const { router, client } = topology;
  await plugIntoSegment(topology, router.netns, 'eth0', 'r');
  await ipIn(router.netns, [
    'addr',
    'add',
    `${router.segmentAddress}/24`,
    'dev',
    'eth0',
  ]);
  await cable(topology, router.netns, 'eth1', client.netns, 'eth0');
  await ipIn(router.netns, [
    'addr',
    'add',
    `${router.clientAddress}/24`,
    'dev',
    'eth1',
  ]);
  await ipIn(router.netns, ['link', 'set', 'eth1', 'up']);
  await sysctlIn(router.netns, 'net.ipv4.ip_forward', '1');
  // Replies from a BGP VIP may leave a node other than the one ECMP picked.
  await sysctlIn(router.netns, 'net.ipv4.conf.all.rp_filter', '0');
  // ECMP spreads by flow (addresses and ports), not just by address pair.
  await sysctlIn(router.netns, 'net.ipv4.fib_multipath_hash_policy', '1');

  await ipIn(client.netns, [
    'addr',
    'add',
    `${client.address}/24`,
    'dev',
    'eth0',
  ]);
  await ipIn(client.netns, ['link', 'set', 'eth0', 'up']);
  await ipIn(client.netns, [
    'route',
    'add',
    'default',
    'via',
    router.clientAddress,
  ]);

  for (const [i, node] of topology.nodes.entries()) {
    await buildNode(topology, node, i);
  }
}

async function buildNode(
  topology: Topology,
  node: LabNode,
  index: number,
): Promise<void> {
  await plugIntoSegment(topology, node.netns, 'eth0', `n${index}`);
  await ipIn(node.netns, ['addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
  await ipIn(node.netns, [
    'route',
    'add',
    'default',
    'via',
    topology.router.segmentAddress,
  ]);
  // The node holds LB addresses on LB_INTERFACE but must answer ARP only for
  // its own address on eth0; the L2 owner answers for the VIP (MetalLB's documented
  // settings for kube-proxy in IPVS mode).
  for (const dev of ['all', 'eth0']) {
    await sysctlIn(node.netns, `net.ipv4.conf.${dev}.arp_ignore`, '1');
    await sysctlIn(node.netns, `net.ipv4.conf.${dev}.arp_announce`, '2');
  }
}

/** A veth from `netns` (named `inner` there) to a port of the segment bridge. */
async function plugIntoSegment(
  topology: Topology,
  netns: string,
  inner: string,
  tag: string,
): Promise<void> {
  const port = `p${topology.runId}${tag}`;
  await cable(topology, netns, inner, topology.segmentNetns, port);
  await ipIn(topology.segmentNetns, ['link', 'set', port, 'master', 'br0']);
  await ipIn(topology.segmentNetns, ['link', 'set', port, 'up']);
  await ipIn(netns, ['link', 'set', inner, 'up']);
}

/**
 * A veth pair between two namespaces. Both ends are created under names unique to
 * the run and renamed inside their namespace, so no name ever clashes anywhere.
 */
async function cable(
  topology: Topology,
  aNetns: string,
  aName: string,
  bNetns: string,
  bName: string,
): Promise<void> {
  const tmp = `v${topology.runId}${Math.random().toString(16).slice(2, 6)}`;
  await run('ip', [
    'link',
    'add',
    `${tmp}a`,
    'netns',
    aNetns,
    'type',
    'veth',
    'peer',
    'name',
    `${tmp}b`,
    'netns',
    bNetns,
  ]);
  await ipIn(aNetns, ['link', 'set', `${tmp}a`, 'name', aName]);
  await ipIn(bNetns, ['link', 'set', `${tmp}b`, 'name', bName]);
}

/** Lab namespaces that exist now (of one run, or of every run with `prefix`). */
export async function listLabNamespaces(prefix: string): Promise<string[]> {
  const out = await run('ip', ['-j', 'netns', 'list']);
  const entries = JSON.parse(out || '[]') as Array<{ name: string }>;
  return entries.map(e => e.name).filter(name => name.startsWith(prefix));
}

/**
 * Kills every process still running inside the namespaces (all of them started by
 * the lab), then deletes the namespaces; their veths and bridge go with them.
 */
export async function destroyNamespaces(namespaces: string[]): Promise<void> {
  for (const netns of namespaces) {
    const pids = await run('ip', ['netns', 'pids', netns]).catch(() => '');
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const netns of [...namespaces].reverse()) {
    await run('ip', ['netns', 'del', netns]).catch(() => undefined);
  }
}
