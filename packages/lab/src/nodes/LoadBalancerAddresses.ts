import { KubeObject } from '@portico/test-cluster';
import { ipIn } from '../exec';
import { LabCluster } from '../kube/LabCluster';
import { LB_INTERFACE } from '../network';
import { Topology } from '../topology';

/**
 * The part of kube-proxy the lab needs: every node with a ready local endpoint of a
 * LoadBalancer Service holds the Service's `status.loadBalancer.ingress` addresses
 * on its dummy interface, so its kernel accepts traffic for them (kube-proxy's IPVS
 * mode binds LB addresses to kube-ipvs0 the same way). Which node *receives* that
 * traffic is the speakers' business: ARP from the L2 owner, BGP routes on the router.
 * Polls the API server (the lab's cluster is small) until the signal aborts.
 */
export class LoadBalancerAddresses {
  private readonly held = new Map<string, Set<string>>();

  constructor(
    private readonly topology: Topology,
    private readonly cluster: LabCluster,
  ) {}

  async run(signal: AbortSignal, intervalMs = 200): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.sync();
      } catch {
        // The API server restarting or briefly busy: the next round catches up.
      }
      await sleep(intervalMs, signal);
    }
  }

  /** One round: desired addresses per node from Services and EndpointSlices, applied as a diff. */
  async sync(): Promise<void> {
    const services = await this.cluster.list('/api/v1/services');
    const slices = await this.cluster.list(
      '/apis/discovery.k8s.io/v1/endpointslices',
    );
    const desired = desiredAddresses(services, slices);
    for (const node of this.topology.nodes) {
      const want = desired.get(node.name) ?? new Set<string>();
      const have = this.held.get(node.name) ?? new Set<string>();
      for (const ip of want) {
        if (!have.has(ip)) await this.change(node.netns, 'add', ip);
      }
      for (const ip of have) {
        if (!want.has(ip)) await this.change(node.netns, 'del', ip);
      }
      this.held.set(node.name, want);
    }
  }

  private async change(
    netns: string,
    verb: 'add' | 'del',
    ip: string,
  ): Promise<void> {
    await ipIn(netns, ['addr', verb, `${ip}/32`, 'dev', LB_INTERFACE]).catch(
      error => {
        // Already there, or already gone: the desired state holds.
        if (!/File exists|Cannot assign/.test((error as Error).message))
          throw error;
      },
    );
  }
}

/** node name → LB addresses it must accept (only nodes with a ready endpoint of the Service). */
export function desiredAddresses(
  services: KubeObject[],
  slices: KubeObject[],
): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const service of services) {
    const spec = service.spec as { type?: string } | undefined;
    if (spec?.type !== 'LoadBalancer') continue;
    const status = service.status as
      | { loadBalancer?: { ingress?: Array<{ ip?: string }> } }
      | undefined;
    const ips = (status?.loadBalancer?.ingress ?? [])
      .map(i => i.ip)
      .filter((ip): ip is string => !!ip);
    if (ips.length === 0) continue;
    const nodes = slices
      .filter(
        s =>
          s.metadata.namespace === service.metadata.namespace &&
          (s.metadata.labels as Record<string, string> | undefined)?.[
            'kubernetes.io/service-name'
          ] === service.metadata.name,
      )
      .flatMap(
        s =>
          (s.endpoints as Array<{
            nodeName?: string;
            conditions?: { ready?: boolean };
          }>) ?? [],
      )
      .filter(e => e.conditions?.ready !== false && e.nodeName)
      .map(e => e.nodeName!);
    for (const node of nodes) {
      const set = result.get(node) ?? new Set<string>();
      ips.forEach(ip => set.add(ip));
      result.set(node, set);
    }
  }
  return result;
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(() => done(), ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
