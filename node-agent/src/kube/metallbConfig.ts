import { z } from 'zod';
import type {
  BGPAdvertisement,
  BGPPeer,
  IPAddressPool,
  L2Advertisement,
  LabelSelector,
} from '../metallb/types';
import {
  AddressRange,
  parseAddress,
  parseAddressRange,
  rangesOverlap,
} from './addresses';
import { parseGoDuration } from './duration';
import { anySelectorMatches } from './labelSelector';
import { ObjectRef, refOf } from './objectRef';
import { indexSecrets, resolvePeerPassword, SecretIndex } from './peerSecrets';

/**
 * Turns the MetalLB objects found in the cluster into validated configuration.
 * Each object is judged on its own: a bad one becomes a problem (logged and
 * reported as an Event on that object by the caller) and is left out, and every
 * valid object is kept. Nothing here throws on what users wrote.
 */

const labelSelector = z.object({
  matchLabels: z.record(z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const meta = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string()).optional(),
});

const poolSpec = z.object({
  addresses: z
    .array(z.string())
    .min(1, 'spec.addresses must list at least one range'),
  autoAssign: z.boolean().optional(),
  avoidBuggyIPs: z.boolean().optional(),
  serviceAllocation: z
    .object({
      priority: z.number().int().optional(),
      namespaces: z.array(z.string()).optional(),
      namespaceSelectors: z.array(labelSelector).optional(),
      serviceSelectors: z.array(labelSelector).optional(),
    })
    .optional(),
});

const advertisementRefs = {
  ipAddressPools: z.array(z.string()).optional(),
  ipAddressPoolSelectors: z.array(labelSelector).optional(),
  nodeSelectors: z.array(labelSelector).optional(),
};

const l2Spec = z.object({
  ...advertisementRefs,
  interfaces: z.array(z.string()).optional(),
});

const bgpAdvSpec = z.object({
  ...advertisementRefs,
  aggregationLength: z.number().int().min(0).max(32).optional(),
  aggregationLengthV6: z.number().int().min(0).max(128).optional(),
  localPref: z.number().int().min(0).max(4294967295).optional(),
  communities: z.array(z.string()).optional(),
  largeCommunities: z.array(z.string()).optional(),
  peers: z.array(z.string()).optional(),
});

const asn = z.number().int().min(1).max(4294967295);
const peerSpec = z.object({
  myASN: asn,
  peerASN: asn,
  peerAddress: z.string(),
  sourceAddress: z.string().optional(),
  peerPort: z.number().int().min(1).max(65535).optional(),
  holdTime: z.string().optional(),
  keepaliveTime: z.string().optional(),
  routerID: z.string().optional(),
  nodeSelectors: z.array(labelSelector).optional(),
  password: z.string().optional(),
  passwordSecret: z
    .object({
      name: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
  ebgpMultiHop: z.boolean().optional(),
  passive: z.boolean().optional(),
});

export interface ConfigProblem {
  ref: ObjectRef;
  message: string;
}

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
  interfaces: string[];
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
  /** True when the advertisement names no peers: it goes to every peer. */
  allPeers: boolean;
  /** The valid peers it names. */
  peers: string[];
}

export interface BGPPeerConfig extends Named {
  resource: BGPPeer;
  myASN: number;
  peerASN: number;
  peerAddress: string;
  sourceAddress?: string;
  peerPort: number;
  holdTimeSeconds: number;
  keepaliveSeconds: number;
  routerID?: string;
  nodeSelectors: LabelSelector[];
  /** From `password`, or read from the Secret `passwordSecret` names. */
  password?: string;
  ebgpMultiHop: boolean;
  passive: boolean;
}

export interface MetalLBConfig {
  pools: Map<string, PoolConfig>;
  l2Advertisements: L2AdvertisementConfig[];
  bgpAdvertisements: BGPAdvertisementConfig[];
  peers: BGPPeerConfig[];
  problems: ConfigProblem[];
}

export interface MetalLBObjects {
  pools: unknown[];
  l2Advertisements: unknown[];
  bgpAdvertisements: unknown[];
  peers: unknown[];
  /** Secrets of the MetalLB namespace (trimmed), for BGPPeers' `passwordSecret`. */
  secrets?: unknown[];
}

const V1BETA1 = 'metallb.io/v1beta1';
const V1BETA2 = 'metallb.io/v1beta2';

function zodMessage(error: z.ZodError): string {
  return error.issues
    .map(issue => `${issue.path.join('.') || '(object)'}: ${issue.message}`)
    .join('; ');
}

type Parsed<S> = { meta: z.infer<typeof meta>; spec: S; ref: ObjectRef };

function parseObjects<S extends z.ZodTypeAny>(
  raw: unknown[],
  spec: S,
  apiVersion: string,
  kind: string,
  problems: ConfigProblem[],
): Parsed<z.infer<S>>[] {
  const out: Parsed<z.infer<S>>[] = [];
  for (const obj of raw) {
    const ref = refOf((obj ?? {}) as any, apiVersion, kind);
    const m = meta.safeParse((obj as any)?.metadata);
    if (!m.success) {
      problems.push({
        ref,
        message: `invalid metadata: ${zodMessage(m.error)}`,
      });
      continue;
    }
    const s = spec.safeParse((obj as any)?.spec ?? {});
    if (!s.success) {
      problems.push({
        ref,
        message: `invalid ${kind}: ${zodMessage(s.error)}`,
      });
      continue;
    }
    out.push({ meta: m.data, spec: s.data, ref });
  }
  // Oldest first, so when two objects clash the one that was there first stays.
  return out.sort(
    (a, b) =>
      (a.meta.creationTimestamp ?? '').localeCompare(
        b.meta.creationTimestamp ?? '',
      ) || a.meta.name.localeCompare(b.meta.name),
  );
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

function parseCommunities(
  values: string[],
  errors: string[],
): { communities: string[]; large: string[] } {
  const communities: string[] = [];
  const large: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    const std = /^(\d+):(\d+)$/.exec(value);
    const lg = /^(?:large:)?(\d+):(\d+):(\d+)$/.exec(value);
    if (std && Number(std[1]) <= 0xffff && Number(std[2]) <= 0xffff) {
      communities.push(`${Number(std[1])}:${Number(std[2])}`);
    } else if (lg && lg.slice(1).every(n => Number(n) <= 0xffffffff)) {
      large.push(lg.slice(1).map(Number).join(':'));
    } else {
      errors.push(
        `community "${value}" is neither ASN:VALUE (16-bit each) nor large:GLOBAL:LOCAL1:LOCAL2`,
      );
    }
  }
  return { communities, large };
}

function parsePeers(
  raw: unknown[],
  secrets: SecretIndex,
  problems: ConfigProblem[],
): BGPPeerConfig[] {
  const peers: BGPPeerConfig[] = [];
  for (const { meta: m, spec, ref } of parseObjects(
    raw,
    peerSpec,
    V1BETA2,
    'BGPPeer',
    problems,
  )) {
    const errors: string[] = [];
    const peerAddress = parseAddress(spec.peerAddress);
    if (!peerAddress)
      errors.push(`peerAddress "${spec.peerAddress}" is not an IP address`);
    const source = spec.sourceAddress
      ? parseAddress(spec.sourceAddress)
      : undefined;
    if (spec.sourceAddress && !source) {
      errors.push(`sourceAddress "${spec.sourceAddress}" is not an IP address`);
    }
    if (spec.routerID && parseAddress(spec.routerID)?.family !== 'IPv4') {
      errors.push(`routerID "${spec.routerID}" is not an IPv4 address`);
    }
    const holdMs =
      spec.holdTime === undefined ? 90_000 : parseGoDuration(spec.holdTime);
    const holdTimeSeconds =
      holdMs === undefined ? NaN : Math.floor(holdMs / 1000);
    if (holdMs === undefined) {
      errors.push(`holdTime "${spec.holdTime}" is not a duration`);
    } else if (holdTimeSeconds !== 0 && holdTimeSeconds < 3) {
      // RFC 4271 §4.2: the Hold Time MUST be either zero or at least three seconds.
      errors.push(`holdTime must be 0 or at least 3s (RFC 4271 §4.2)`);
    }
    const keepMs =
      spec.keepaliveTime === undefined
        ? undefined
        : parseGoDuration(spec.keepaliveTime);
    if (spec.keepaliveTime !== undefined && keepMs === undefined) {
      errors.push(`keepaliveTime "${spec.keepaliveTime}" is not a duration`);
    }
    const keepaliveSeconds =
      keepMs === undefined
        ? Math.floor(holdTimeSeconds / 3)
        : Math.floor(keepMs / 1000);
    if (keepaliveSeconds > holdTimeSeconds) {
      errors.push('keepaliveTime must not exceed holdTime');
    }
    // A peer whose password cannot be had does not run, never without it.
    const password = resolvePeerPassword(spec, m.namespace, secrets);
    if ('error' in password) errors.push(password.error);
    if (errors.length > 0) {
      problems.push({ ref, message: `invalid BGPPeer: ${errors.join('; ')}` });
      continue;
    }
    peers.push({
      name: m.name,
      ref,
      resource: { apiVersion: V1BETA2, kind: 'BGPPeer', metadata: m, spec },
      labels: m.labels ?? {},
      myASN: spec.myASN,
      peerASN: spec.peerASN,
      peerAddress: peerAddress!.text,
      sourceAddress: source?.text,
      peerPort: spec.peerPort ?? 179,
      holdTimeSeconds,
      keepaliveSeconds,
      routerID: spec.routerID,
      nodeSelectors: spec.nodeSelectors ?? [],
      password: 'password' in password ? password.password : undefined,
      ebgpMultiHop: spec.ebgpMultiHop ?? false,
      passive: spec.passive ?? false,
    });
  }
  return peers;
}

export function parseMetalLBConfig(objects: MetalLBObjects): MetalLBConfig {
  const problems: ConfigProblem[] = [];
  const pools = parsePools(objects.pools, problems);

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
    interfaces: spec.interfaces ?? [],
  }));

  const peers = parsePeers(
    objects.peers,
    indexSecrets(objects.secrets ?? []),
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
    const errors: string[] = [];
    const fromCommunities = parseCommunities(spec.communities ?? [], errors);
    const fromLarge = parseCommunities(
      (spec.largeCommunities ?? []).map(c =>
        c.startsWith('large:') ? c : `large:${c}`,
      ),
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
    bgpAdvertisements.push({
      name: m.name,
      ref,
      resource: {
        apiVersion: V1BETA1,
        kind: 'BGPAdvertisement',
        metadata: m,
        spec,
      },
      labels: m.labels ?? {},
      pools: resolvePools(spec, pools, ref, problems),
      aggregationLength: spec.aggregationLength ?? 32,
      aggregationLengthV6: spec.aggregationLengthV6 ?? 128,
      localPref: spec.localPref,
      communities: fromCommunities.communities,
      largeCommunities: [...fromCommunities.large, ...fromLarge.large],
      nodeSelectors: spec.nodeSelectors ?? [],
      // A list naming only unknown peers must not widen to "every peer".
      allPeers: (spec.peers ?? []).length === 0,
      peers: (spec.peers ?? []).filter(p => peerNames.has(p)),
    });
  }

  return { pools, l2Advertisements, bgpAdvertisements, peers, problems };
}
