import { z } from 'zod';
import {
  IpRange,
  formatAddress,
  parseRange,
  rangeContains,
  rangesOverlap,
} from '../ip/ipRange';
import {
  cidrSchema,
  groupRefSchema,
  intentSchema,
  ipAddressSchema,
  ipRangeSchema,
  nameSchema,
  portNumberSchema,
  protocolSchema,
  dnsLabelSchema,
} from './common';

const asnSchema = z.number().int().min(1).max(4294967295);

/** A BGP peer of a segment (the router the nodes peer with). */
export const bgpPeerSchema = z
  .object({
    address: ipAddressSchema,
    asn: asnSchema,
    localAsn: asnSchema,
    port: portNumberSchema.default(179),
    holdTime: z.number().int().min(0).max(65535).default(90),
    password: z.string().min(1).optional(),
    nodeSelector: z.record(z.string()).optional(),
  })
  .strict();
export type BgpPeerConfig = z.infer<typeof bgpPeerSchema>;

export const segmentSchema = z
  .object({
    name: nameSchema,
    description: z.string().optional(),
    cidrs: z.array(cidrSchema).min(1, 'a segment needs at least one CIDR'),
    vlan: z.number().int().min(1).max(4094).optional(),
    modes: z
      .array(z.enum(['l2', 'bgp']))
      .min(1)
      .default(['l2']),
    bgpPeers: z.array(bgpPeerSchema).default([]),
    reserved: z.array(ipRangeSchema).default([]),
    clusters: z.array(dnsLabelSchema).default([]),
  })
  .strict();
export type SegmentConfig = z.infer<typeof segmentSchema>;

const communitySchema = z
  .string()
  .regex(/^\d{1,5}:\d{1,5}$/, 'must be a community ASN:VALUE (RFC 1997)');
const largeCommunitySchema = z
  .string()
  .regex(
    /^\d{1,10}:\d{1,10}:\d{1,10}$/,
    'must be a large community GLOBAL:LOCAL1:LOCAL2 (RFC 8092)',
  );

export const advertisementSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('l2'),
      interfaces: z.array(z.string().min(1)).optional(),
      nodeSelector: z.record(z.string()).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('bgp'),
      communities: z.array(communitySchema).default([]),
      largeCommunities: z.array(largeCommunitySchema).default([]),
      localPreference: z.number().int().min(0).max(4294967295).optional(),
      aggregationLength: z.number().int().min(0).max(32).optional(),
      aggregationLengthV6: z.number().int().min(0).max(128).optional(),
      nodeSelector: z.record(z.string()).optional(),
    })
    .strict(),
]);
export type AdvertisementConfig = z.infer<typeof advertisementSchema>;

/** A port or an inclusive port range `8000-8100`. */
export const portSpecSchema = z.union([
  portNumberSchema,
  z
    .string()
    .regex(/^\d{1,5}(-\d{1,5})?$/, 'must be a port or a range like 8000-8100')
    .refine(s => {
      const [a, b = a] = s.split('-').map(Number);
      return a >= 1 && b <= 65535 && a <= b;
    }, 'must be ports between 1 and 65535, low to high'),
]);

export const poolPolicySchema = z
  .object({
    owners: z.array(groupRefSchema).default([]),
    namespaces: z.array(dnsLabelSchema).default([]),
    approval: z.enum(['required', 'automatic']).default('required'),
    maxLifetimeHours: z.number().positive().optional(),
    ports: z.array(portSpecSchema).default([]),
    protocols: z.array(protocolSchema).default(['TCP', 'UDP']),
    quotaPerTeam: z.number().int().min(1).optional(),
    allowSharing: z.boolean().default(false),
    avoidEdgeAddresses: z.boolean().default(false),
  })
  .strict();
export type PoolPolicy = z.infer<typeof poolPolicySchema>;

export const poolSchema = z
  .object({
    name: nameSchema,
    description: z.string().optional(),
    segment: nameSchema,
    intent: intentSchema,
    addresses: z
      .array(ipRangeSchema)
      .min(1, 'a pool needs at least one address range'),
    advertisement: advertisementSchema.default({ type: 'l2' }),
    policy: poolPolicySchema.default({}),
  })
  .strict();
export type PoolConfig = z.infer<typeof poolSchema>;

function tryParseRange(text: string): IpRange | undefined {
  try {
    return parseRange(text);
  } catch {
    return undefined;
  }
}

function checkNetworkBounds(
  config: { segments: SegmentConfig[]; pools: PoolConfig[] },
  ctx: z.RefinementCtx,
) {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });

  const segmentIndex = new Map<string, number>();
  config.segments.forEach((segment, i) => {
    if (segmentIndex.has(segment.name)) {
      issue(['segments', i, 'name'], `duplicate segment "${segment.name}"`);
    }
    segmentIndex.set(segment.name, i);
  });

  const seenPools = new Set<string>();
  const placed: {
    pool: number;
    range: IpRange;
    text: string;
    segment: string;
  }[] = [];
  config.pools.forEach((pool, p) => {
    if (seenPools.has(pool.name)) {
      issue(['pools', p, 'name'], `duplicate pool "${pool.name}"`);
    }
    seenPools.add(pool.name);
    if (
      pool.intent === 'temporary' &&
      pool.policy.maxLifetimeHours === undefined
    ) {
      issue(
        ['pools', p, 'policy', 'maxLifetimeHours'],
        'a temporary pool must set a maximum lifetime',
      );
    }
    const s = segmentIndex.get(pool.segment);
    if (s === undefined) {
      issue(
        ['pools', p, 'segment'],
        `unknown segment "${pool.segment}" (known: ${
          [...segmentIndex.keys()].join(', ') || 'none'
        })`,
      );
      return;
    }
    const segment = config.segments[s];
    if (!segment.modes.includes(pool.advertisement.type)) {
      issue(
        ['pools', p, 'advertisement', 'type'],
        `segment "${segment.name}" does not allow ${
          pool.advertisement.type
        } (allowed: ${segment.modes.join(', ')})`,
      );
    }
    // Malformed ranges already have their own issue; check the others.
    const cidrs = segment.cidrs.map(tryParseRange);
    const reserved = segment.reserved.map(tryParseRange);
    pool.addresses.forEach((text, r) => {
      const range = tryParseRange(text);
      if (!range) return;
      if (!cidrs.some(c => c && rangeContains(c, range))) {
        issue(
          ['pools', p, 'addresses', r],
          `range ${text} is outside segment "${
            segment.name
          }" (${segment.cidrs.join(', ')})`,
        );
      }
      reserved.forEach((res, k) => {
        if (res && rangesOverlap(res, range)) {
          const first = res.start > range.start ? res.start : range.start;
          issue(
            ['pools', p, 'addresses', r],
            `range ${text} contains reserved address ${formatAddress(
              res.family,
              first,
            )} (segments[${s}].reserved[${k}] = ${segment.reserved[k]})`,
          );
        }
      });
      for (const other of placed) {
        if (rangesOverlap(other.range, range)) {
          issue(
            ['pools', p, 'addresses', r],
            `range ${text} overlaps ${other.text} of pool "${
              config.pools[other.pool].name
            }"`,
          );
        }
      }
      placed.push({ pool: p, range, text, segment: segment.name });
    });
  });
}

/** The whole `exposure` config section, with the network-bound checks. */
export const exposureConfigSchema = z
  .object({
    segments: z.array(segmentSchema).default([]),
    pools: z.array(poolSchema).default([]),
    expiry: z
      .object({
        intervalSeconds: z.number().int().min(1).default(60),
        /** No request may ask for an expiry further away than this. */
        maxLifetimeDays: z.number().positive().max(36_500).default(3_650),
      })
      .strict()
      .default({}),
  })
  .passthrough()
  .superRefine(checkNetworkBounds);
export type ExposureConfig = z.infer<typeof exposureConfigSchema>;

/**
 * Renders a zod issue path as a config path: `exposure.pools[1].addresses[0]`.
 */
export function formatIssuePath(
  prefix: string,
  path: (string | number)[],
): string {
  let text = prefix;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text;
}
