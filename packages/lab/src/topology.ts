import { randomBytes } from 'node:crypto';

/**
 * The lab's data centre, as a plan: namespace names, addresses and ASNs. Pure, so
 * the builder, the CLI, the test and `--down` agree on every name.
 *
 *                 198.51.100.0/24               192.0.2.0/24 (the nodes' L2 segment)
 *   client .10 ─────────────── .1 router .1 ───── bridge ─┬─ node-a .11
 *                              BIRD 2, AS 64500           ├─ node-b .12
 *                                                         └─ node-c .13
 *
 * L2 VIPs come from the nodes' segment (the router ARPs for them there); BGP VIPs
 * from 203.0.113.0/24, routed by BIRD to the nodes that announce them. TEST-NET
 * addresses only (RFC 5737).
 */

/** Every lab namespace starts with this, so `--down` finds leftovers of any run. */
export const LAB_PREFIX = 'plab-';

export const SEGMENT_CIDR = '192.0.2.0/24';
export const CLIENT_CIDR = '198.51.100.0/24';
export const BGP_VIP_CIDR = '203.0.113.0/24';

export const ROUTER_ASN = 64500;
export const NODE_ASN = 64512;

/** The port the edge-api workload answers on, and the Service's port. */
export const WORKLOAD_PORT = 80;
/** Where every node reaches the Kubernetes API server (see kube/apiRelay.ts). */
export const NODE_API_PORT = 6443;

export interface LabNode {
  /** Kubernetes Node name and the speaker's `--node-name`. */
  name: string;
  netns: string;
  address: string;
  /** Whether an edge-api Pod runs here (two of the three nodes). */
  runsWorkload: boolean;
}

export interface Topology {
  runId: string;
  /** Namespace holding the bridge of the nodes' segment. */
  segmentNetns: string;
  router: { netns: string; segmentAddress: string; clientAddress: string };
  client: { netns: string; address: string };
  nodes: LabNode[];
  /** Every namespace of the run, in creation order. */
  namespaces: string[];
}

export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

export function planTopology(runId: string = newRunId()): Topology {
  if (!/^[0-9a-f]{1,8}$/.test(runId)) {
    throw new Error(`run id must be 1-8 hex digits, got "${runId}"`);
  }
  const ns = (role: string) => `${LAB_PREFIX}${runId}-${role}`;
  const nodes: LabNode[] = ['node-a', 'node-b', 'node-c'].map((name, i) => ({
    name,
    netns: ns(name),
    address: `192.0.2.${11 + i}`,
    runsWorkload: i < 2,
  }));
  const topology: Omit<Topology, 'namespaces'> = {
    runId,
    segmentNetns: ns('segment'),
    router: {
      netns: ns('router'),
      segmentAddress: '192.0.2.1',
      clientAddress: '198.51.100.1',
    },
    client: { netns: ns('client'), address: '198.51.100.10' },
    nodes,
  };
  return {
    ...topology,
    namespaces: [
      topology.segmentNetns,
      topology.router.netns,
      topology.client.netns,
      ...nodes.map(n => n.netns),
    ],
  };
}
