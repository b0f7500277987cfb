import type { V1Node } from '@kubernetes/client-node';
import {
  desiredRoutes,
  peerConfigFromBGPPeer,
  PeerConfig,
  Route,
  ServiceAnnouncementInput,
} from '../bgp';
import type { L2Vip } from '../l2';
import { parseAddress } from '../kube/addresses';
import { anySelectorMatches, selectorMatches } from '../kube/labelSelector';
import type { ClusterSnapshot } from '../kube/snapshot';
import { slicesOf } from '../kube/snapshot';
import { poolFor } from '../controller/allocator/pools';
import {
  currentAddresses,
  isOurLoadBalancer,
} from '../controller/serviceRequest';

export interface SpeakerState {
  l2: L2Vip[];
  bgpPeers: PeerConfig[];
  /** Peer name → routes this node announces to it. */
  bgpRoutes: Map<string, Route[]>;
  /** Nodes whose Ready condition is True. */
  readyNodes: string[];
  warnings: string[];
}

function nodeReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some(
    c => c.type === 'Ready' && c.status === 'True',
  );
}

/**
 * What this node should announce, from the view (DESIGN.md §4 "Speaker"): every
 * address written in a Service status that lies in a configured pool, by the
 * pool's advertisements. L2: the eligible nodes per address (the L2 module elects
 * the one that answers). BGP: the routes per peer, computed by the BGP module's
 * MetalLB rules. Addresses outside every pool are refused and reported.
 */
export function speakerState(
  snapshot: ClusterSnapshot,
  options: {
    nodeName: string;
    loadBalancerClass: string;
    serveClassless?: boolean;
  },
): SpeakerState {
  const warnings: string[] = [];
  const { pools, l2Advertisements, bgpAdvertisements, peers } =
    snapshot.metallb;
  const readyNodes = snapshot.nodes.filter(nodeReady);
  const readyNames = readyNodes.map(n => n.metadata?.name ?? '');
  const self = snapshot.nodes.find(n => n.metadata?.name === options.nodeName);

  const l2 = new Map<string, L2Vip>();
  const allInterfaces = new Set<string>();
  const services: ServiceAnnouncementInput[] = [];
  for (const svc of snapshot.services) {
    if (
      !isOurLoadBalancer(svc, options.loadBalancerClass, options.serveClassless)
    )
      continue;
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const endpointNodes = new Set<string>();
    for (const slice of slicesOf(snapshot, namespace, name)) {
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready !== false && ep.nodeName)
          endpointNodes.add(ep.nodeName);
      }
    }
    const local = svc.spec?.externalTrafficPolicy === 'Local';
    const addresses: Array<{ address: string; pool: string }> = [];
    for (const ip of currentAddresses(svc)) {
      const parsed = parseAddress(ip);
      const pool = parsed && poolFor(pools, parsed);
      if (!parsed || !pool) {
        warnings.push(
          `Service ${namespace}/${name}: ${ip} is in no configured pool; not announced`,
        );
        continue;
      }
      addresses.push({ address: parsed.text, pool: pool.name });
      for (const adv of l2Advertisements) {
        if (!adv.pools.includes(pool.name)) continue;
        if (!anySelectorMatches(adv.serviceSelectors, svc.metadata?.labels))
          continue;
        const eligible = readyNodes.filter(
          n =>
            anySelectorMatches(adv.nodeSelectors, n.metadata?.labels) &&
            (!local || endpointNodes.has(n.metadata?.name ?? '')),
        );
        const vip = l2.get(parsed.text) ?? {
          address: parsed.text,
          nodes: [],
          interfaces: [],
        };
        if (adv.preferredNodeSelectors.length > 0) {
          const scores: Record<string, number> = { ...vip.nodeScores };
          for (const n of eligible) {
            const nodeName = n.metadata?.name ?? '';
            const score = adv.preferredNodeSelectors
              .filter(p => selectorMatches(p.preference, n.metadata?.labels))
              .reduce((sum, p) => sum + p.weight, 0);
            scores[nodeName] = Math.max(scores[nodeName] ?? 0, score);
          }
          vip.nodeScores = scores;
        }
        vip.nodes = [
          ...new Set([
            ...vip.nodes,
            ...eligible.map(n => n.metadata?.name ?? ''),
          ]),
        ].sort();
        // An advertisement without interfaces means all of them.
        if (adv.interfaces.length === 0) allInterfaces.add(parsed.text);
        vip.interfaces = [
          ...new Set([...(vip.interfaces ?? []), ...adv.interfaces]),
        ].sort();
        l2.set(parsed.text, vip);
      }
    }
    if (addresses.length > 0) {
      services.push({
        name: `${namespace}/${name}`,
        addresses,
        labels: svc.metadata?.labels ?? {},
        externalTrafficPolicy: local ? 'Local' : 'Cluster',
        readyEndpointNodes: [...endpointNodes].sort(),
      });
    }
  }

  const bgpPeers = peers.filter(p =>
    anySelectorMatches(p.nodeSelectors, self?.metadata?.labels),
  );
  const routes = desiredRoutes({
    node: { name: options.nodeName, labels: self?.metadata?.labels },
    pools: [...pools.values()].map(p => p.resource),
    advertisements: bgpAdvertisements.map(a => a.resource),
    peers: bgpPeers.map(p => p.resource),
    services,
  });
  return {
    l2: [...l2.values()]
      .map(v => (allInterfaces.has(v.address) ? { ...v, interfaces: [] } : v))
      .sort((a, b) => a.address.localeCompare(b.address)),
    bgpPeers: bgpPeers.map(p => ({
      ...peerConfigFromBGPPeer(p.resource),
      // localASN replaces myASN on this session (FRR `local-as … no-prepend replace-as`).
      myASN: p.sessionASN,
      // Resolved from `password` or `passwordSecret`; the resource holds only the reference.
      password: p.password,
    })),
    bgpRoutes: routes.byPeer,
    readyNodes: readyNames,
    warnings: [...warnings, ...routes.warnings],
  };
}
