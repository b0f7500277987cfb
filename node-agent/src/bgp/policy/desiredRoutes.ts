import { Address4, Address6 } from 'ip-address';
import { isIPv4, isIPv6 } from 'node:net';
import type {
  BGPAdvertisement,
  BGPPeer,
  IPAddressPool,
} from '../../metallb/types';
import type { Route } from '../announcer/types';
import { parseCommunity, parseLargeCommunity } from '../codec';
import { matchesAny } from './labelSelector';

/** A LoadBalancer service's addresses as the announcer needs to see them. */
export interface ServiceAnnouncementInput {
  /** `namespace/name`, for messages. */
  name: string;
  /** The Service's labels, for BGPAdvertisement `serviceSelectors`. */
  labels?: Record<string, string>;
  /** Assigned ingress addresses with the pool each came from. */
  addresses: Array<{ address: string; pool: string }>;
  externalTrafficPolicy: 'Cluster' | 'Local';
  /** Nodes that have at least one ready endpoint of the service. */
  readyEndpointNodes: string[];
}

export interface DesiredRoutesInput {
  node: { name: string; labels?: Record<string, string> };
  pools: IPAddressPool[];
  advertisements: BGPAdvertisement[];
  peers: BGPPeer[];
  services: ServiceAnnouncementInput[];
}

export interface DesiredRoutes {
  /** BGPPeer name → routes this node announces to it, sorted by prefix. */
  byPeer: Map<string, Route[]>;
  /** Inputs that were skipped, each with a reason a person can act on. */
  warnings: string[];
}

function byPrefix(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function selectsPool(adv: BGPAdvertisement, pool: IPAddressPool): boolean {
  const names = adv.spec.ipAddressPools ?? [];
  const selectors = adv.spec.ipAddressPoolSelectors ?? [];
  if (!names.length && !selectors.length) return true;
  return (
    names.includes(pool.metadata.name) ||
    (selectors.length > 0 && matchesAny(pool.metadata.labels, selectors))
  );
}

/** The advertised prefix: the address widened to the aggregation length. */
function aggregate(address: string, adv: BGPAdvertisement): string {
  if (isIPv4(address)) {
    const len = adv.spec.aggregationLength ?? 32;
    return `${new Address4(`${address}/${len}`)
      .startAddress()
      .correctForm()}/${len}`;
  }
  const len = adv.spec.aggregationLengthV6 ?? 128;
  return `${new Address6(`${address}/${len}`)
    .startAddress()
    .correctForm()}/${len}`;
}

function validCommunities(
  adv: BGPAdvertisement,
  warnings: string[],
): { communities: string[]; largeCommunities: string[] } {
  const communities: string[] = [];
  const largeCommunities: string[] = [];
  const add = (text: string, large: boolean) => {
    try {
      if (large) {
        parseLargeCommunity(text);
        largeCommunities.push(text);
      } else {
        parseCommunity(text);
        communities.push(text);
      }
    } catch {
      warnings.push(
        `BGPAdvertisement ${adv.metadata.name}: ${
          large ? 'large ' : ''
        }community "${text}" is not valid (Community resources are not resolved)`,
      );
    }
  };
  for (const c of adv.spec.communities ?? []) {
    // MetalLB writes large communities in `communities` as `large:a:b:c`.
    if (c.startsWith('large:')) add(c.slice(6), true);
    else add(c, false);
  }
  for (const c of adv.spec.largeCommunities ?? []) add(c, true);
  return { communities, largeCommunities };
}

/**
 * What one node announces to each of its BGP peers (MetalLB's BGP mode rules):
 * a service address is announced for each BGPAdvertisement that selects its
 * pool and this node, to the advertisement's peers (all of the node's peers when
 * it names none); with `externalTrafficPolicy: Local` only while this node has a
 * ready endpoint, with `Cluster` while any node has one. Advertisements that
 * reach the same prefix and peer merge: communities are united, the highest
 * local preference wins. Pure: no I/O, same input, same output.
 */
export function desiredRoutes(input: DesiredRoutesInput): DesiredRoutes {
  const warnings: string[] = [];
  const nodeLabels = input.node.labels;
  const peersHere = input.peers.filter(p =>
    matchesAny(nodeLabels, p.spec.nodeSelectors),
  );
  const poolByName = new Map(input.pools.map(p => [p.metadata.name, p]));
  const advsHere = input.advertisements.filter(a =>
    matchesAny(nodeLabels, a.spec.nodeSelectors),
  );
  const merged = new Map<string, Map<string, Route>>();
  for (const p of peersHere) merged.set(p.metadata.name, new Map());

  for (const svc of input.services) {
    const ready =
      svc.externalTrafficPolicy === 'Local'
        ? svc.readyEndpointNodes.includes(input.node.name)
        : svc.readyEndpointNodes.length > 0;
    if (!ready) continue;
    for (const { address, pool: poolName } of svc.addresses) {
      if (!isIPv4(address) && !isIPv6(address)) {
        warnings.push(`service ${svc.name}: "${address}" is not an IP address`);
        continue;
      }
      const pool = poolByName.get(poolName);
      if (!pool) {
        warnings.push(`service ${svc.name}: pool ${poolName} not found`);
        continue;
      }
      for (const adv of advsHere) {
        if (!selectsPool(adv, pool)) continue;
        if (!matchesAny(svc.labels, adv.spec.serviceSelectors)) continue;
        const prefix = aggregate(address, adv);
        const { communities, largeCommunities } = validCommunities(
          adv,
          warnings,
        );
        const targets = adv.spec.peers?.length
          ? peersHere.filter(p => adv.spec.peers!.includes(p.metadata.name))
          : peersHere;
        for (const peer of targets) {
          const routes = merged.get(peer.metadata.name)!;
          const prev = routes.get(prefix);
          const localPref =
            prev?.localPref === undefined
              ? adv.spec.localPref
              : Math.max(prev.localPref, adv.spec.localPref ?? 0);
          const route: Route = {
            prefix,
            communities: [
              ...new Set([...(prev?.communities ?? []), ...communities]),
            ].sort(),
            largeCommunities: [
              ...new Set([
                ...(prev?.largeCommunities ?? []),
                ...largeCommunities,
              ]),
            ].sort(),
          };
          if (localPref !== undefined) route.localPref = localPref;
          routes.set(prefix, route);
        }
      }
    }
  }
  const byPeer = new Map<string, Route[]>();
  for (const [peer, routes] of merged) {
    byPeer.set(
      peer,
      [...routes.values()].sort((a, b) => byPrefix(a.prefix, b.prefix)),
    );
  }
  return { byPeer, warnings: [...new Set(warnings)] };
}
