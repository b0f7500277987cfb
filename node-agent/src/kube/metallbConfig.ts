import type {
  BGPAdvertisement,
  IPAddressPool,
  L2Advertisement,
  LabelSelector,
} from '../metallb/types';
import { AddressRange, parseAddressRange, rangesOverlap } from './addresses';
import { anySelectorMatches } from './labelSelector';
import {
  parseCommunityAliases,
  resolveCommunities,
} from './metallbCommunities';
import {
  ConfigProblem,
  parseObjects,
  unsupportedFields,
  V1BETA1,
} from './metallbParse';
import {
  BFDProfileConfig,
  BGPPeerConfig,
  parseBfdProfiles,
  parsePeers,
} from './metallbPeers';
import { bgpAdvSpec, l2Spec, poolSpec } from './metallbSchemas';
import type { ObjectRef } from './objectRef';
import { indexSecrets } from './peerSecrets';

export type { ConfigProblem } from './metallbParse';
export type { BFDProfileConfig, BGPPeerConfig } from './metallbPeers';

/**
 * Turns the MetalLB objects found in the cluster into validated configuration.
 * Each object is judged on its own: a bad one becomes a problem (logged and
 * reported as an Event on that object by the caller) and is left out, and every
 * valid object is kept. Nothing here throws on what users wrote.
 */

interface Named {
  name: string;
  ref: ObjectRef;
  labels: Record<string, string>;
}

export interface PoolConfig extends Named {
  /** The object as validated (unknown fields dropped), for modules that read the CRD shapes. */
  resource: IPAddressPool;
  ranges: AddressRange[];
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
  /** serviceAllocation.priority; lower wins, pools without one come last. */
  priority?: number;
  namespaces: string[];
  namespaceSelectors: LabelSelector[];
  serviceSelectors: LabelSelector[];
}

export interface L2AdvertisementConfig extends Named {
  resource: L2Advertisement;
  /** Names of the valid pools this advertisement covers. */
  pools: string[];
  nodeSelectors: LabelSelector[];
  /** Services it covers; none: every Service. */
  serviceSelectors: LabelSelector[];
  interfaces: string[];
  /** Soft preferences for the announcing node: a node scores the sum of the weights it matches. */
  preferredNodeSelectors: Array<{ weight: number; preference: LabelSelector }>;
}

export interface BGPAdvertisementConfig extends Named {
  resource: BGPAdvertisement;
  pools: string[];
  aggregationLength: number;
  aggregationLengthV6: number;
  localPref?: number;
  /** `ASN:value` standard communities (RFC 1997). */
  communities: string[];
  /** `global:local1:local2` large communities (RFC 8092). */
  largeCommunities: string[];
  nodeSelectors: LabelSelector[];
  serviceSelectors: LabelSelector[];
  /** True when the advertisement names no peers: it goes to every peer. */
  allPeers: boolean;
  /** The valid peers it names. */
  peers: string[];
}

export interface MetalLBConfig {
  pools: Map<string, PoolConfig>;
  l2Advertisements: L2AdvertisementConfig[];
  bgpAdvertisements: BGPAdvertisementConfig[];
  peers: BGPPeerConfig[];
  /** Community aliases (Community objects): name → `ASN:VALUE` or `large:…`. */
  communityAliases: Map<string, string>;
  bfdProfiles: Map<string, BFDProfileConfig>;
  problems: ConfigProblem[];
}

export interface MetalLBObjects {
  pools: unknown[];
  l2Advertisements: unknown[];
  bgpAdvertisements: unknown[];
  peers: unknown[];
  communities?: unknown[];
  bfdProfiles?: unknown[];
  /** Secrets of the MetalLB namespace (trimmed), for BGPPeers' `passwordSecret`. */
  secrets?: unknown[];
}

function parsePools(
  raw: unknown[],
  problems: ConfigProblem[],
): Map<string, PoolConfig> {
  const pools = new Map<string, PoolConfig>();
  for (const { meta: m, spec, ref } of parseObjects(
    raw,
    poolSpec,
    V1BETA1,
    'IPAddressPool',
    problems,
  )) {
    const ranges: AddressRange[] = [];
    const errors: string[] = [];
    for (const text of spec.addresses) {
      const range = parseAddressRange(text);
      if (typeof range === 'string') {
        errors.push(range);
      } else {
        ranges.push(range);
      }
    }
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        if (rangesOverlap(ranges[i], ranges[j])) {
          errors.push(`"${ranges[i].text}" overlaps "${ranges[j].text}"`);
        }
      }
    }
    for (const other of pools.values()) {
      for (const mine of ranges) {
        const clash = other.ranges.find(r => rangesOverlap(r, mine));
        if (clash) {
          errors.push(
            `"${mine.text}" overlaps "${clash.text}" of IPAddressPool ${other.name}`,
          );
        }
      }
    }
    if (errors.length > 0) {
      problems.push({
        ref,
        message: `invalid spec.addresses: ${errors.join('; ')}`,
      });
      continue;
    }
    const alloc = spec.serviceAllocation ?? {};
    pools.set(m.name, {
      name: m.name,
      ref,
      resource: {
        apiVersion: V1BETA1,
        kind: 'IPAddressPool',
        metadata: m,
        spec,
      },
      labels: m.labels ?? {},
      ranges,
      autoAssign: spec.autoAssign ?? true,
      avoidBuggyIPs: spec.avoidBuggyIPs ?? false,
      priority: alloc.priority,
      namespaces: alloc.namespaces ?? [],
      namespaceSelectors: alloc.namespaceSelectors ?? [],
      serviceSelectors: alloc.serviceSelectors ?? [],
    });
  }
  return pools;
}

/**
 * MetalLB's rule: an advertisement naming neither pools nor pool selectors covers
 * every pool; otherwise the named pools plus those the selectors match.
 */
function resolvePools(
  spec: { ipAddressPools?: string[]; ipAddressPoolSelectors?: LabelSelector[] },
  pools: Map<string, PoolConfig>,
  ref: ObjectRef,
  problems: ConfigProblem[],
): string[] {
  const named = spec.ipAddressPools ?? [];
  const selectors = spec.ipAddressPoolSelectors ?? [];
  if (named.length === 0 && selectors.length === 0) {
    return [...pools.keys()];
  }
  const out = new Set<string>();
  const unknown = named.filter(n => !pools.has(n));
  if (unknown.length > 0) {
    problems.push({
      ref,
      message: `spec.ipAddressPools names unknown or invalid IPAddressPool ${unknown.join(
        ', ',
      )}`,
    });
  }
  for (const n of named) {
    if (pools.has(n)) out.add(n);
  }
  if (selectors.length > 0) {
    for (const pool of pools.values()) {
      if (anySelectorMatches(selectors, pool.labels)) out.add(pool.name);
    }
  }
  return [...out];
}

export function parseMetalLBConfig(objects: MetalLBObjects): MetalLBConfig {
  const problems: ConfigProblem[] = [];
  const pools = parsePools(objects.pools, problems);
  const communityAliases = parseCommunityAliases(
    objects.communities ?? [],
    problems,
  );
  const bfdProfiles = parseBfdProfiles(objects.bfdProfiles ?? [], problems);

  const l2Advertisements = parseObjects(
    objects.l2Advertisements,
    l2Spec,
    V1BETA1,
    'L2Advertisement',
    problems,
  ).map(({ meta: m, spec, ref }) => ({
    name: m.name,
    ref,
    resource: {
      apiVersion: V1BETA1,
      kind: 'L2Advertisement',
      metadata: m,
      spec,
    },
    labels: m.labels ?? {},
    pools: resolvePools(spec, pools, ref, problems),
    nodeSelectors: spec.nodeSelectors ?? [],
    serviceSelectors: spec.serviceSelectors ?? [],
    interfaces: spec.interfaces ?? [],
    preferredNodeSelectors: spec.preferredNodeSelectors ?? [],
  }));

  const peers = parsePeers(
    objects.peers,
    indexSecrets(objects.secrets ?? []),
    bfdProfiles,
    problems,
  );
  const peerNames = new Set(peers.map(p => p.name));

  const bgpAdvertisements: BGPAdvertisementConfig[] = [];
  for (const { meta: m, spec, ref } of parseObjects(
    objects.bgpAdvertisements,
    bgpAdvSpec,
    V1BETA1,
    'BGPAdvertisement',
    problems,
  )) {
    const refused = unsupportedFields('BGPAdvertisement', spec, {
      asPathPrepend: {
        why: "Portico's speaker announces its own AS once (no AS-path prepending)",
      },
    });
    if (refused.length > 0) {
      problems.push({ ref, message: refused.join('; ') });
      continue;
    }
    const errors: string[] = [];
    const fromCommunities = resolveCommunities(
      spec.communities ?? [],
      communityAliases,
      errors,
    );
    const fromLarge = resolveCommunities(
      (spec.largeCommunities ?? []).map(c =>
        c.startsWith('large:') ? c : `large:${c}`,
      ),
      new Map(),
      errors,
    );
    if (errors.length > 0) {
      problems.push({
        ref,
        message: `invalid BGPAdvertisement: ${errors.join('; ')}`,
      });
      continue;
    }
    const unknownPeers = (spec.peers ?? []).filter(p => !peerNames.has(p));
    if (unknownPeers.length > 0) {
      problems.push({
        ref,
        message: `spec.peers names unknown or invalid BGPPeer ${unknownPeers.join(
          ', ',
        )}`,
      });
    }
    const largeCommunities = [...fromCommunities.large, ...fromLarge.large];
    bgpAdvertisements.push({
      name: m.name,
      ref,
      // Aliases resolved, so the announcer sees only literals.
      resource: {
        apiVersion: V1BETA1,
        kind: 'BGPAdvertisement',
        metadata: m,
        spec: {
          ...spec,
          communities: fromCommunities.communities,
          largeCommunities,
        },
      },
      labels: m.labels ?? {},
      pools: resolvePools(spec, pools, ref, problems),
      aggregationLength: spec.aggregationLength ?? 32,
      aggregationLengthV6: spec.aggregationLengthV6 ?? 128,
      localPref: spec.localPref,
      communities: fromCommunities.communities,
      largeCommunities,
      nodeSelectors: spec.nodeSelectors ?? [],
      serviceSelectors: spec.serviceSelectors ?? [],
      // A list naming only unknown peers must not widen to "every peer".
      allPeers: (spec.peers ?? []).length === 0,
      peers: (spec.peers ?? []).filter(p => peerNames.has(p)),
    });
  }

  return {
    pools,
    l2Advertisements,
    bgpAdvertisements,
    peers,
    communityAliases,
    bfdProfiles,
    problems,
  };
}
