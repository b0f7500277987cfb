import { z } from 'zod';

/**
 * zod schemas of the MetalLB v0.16 custom resources (the CRDs in deploy/crds).
 * Every field MetalLB defines is read, so a field Portico does not implement can
 * be refused by name instead of being silently ignored (unsupportedFields.ts).
 */

export const labelSelector = z.object({
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

export const meta = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string()).optional(),
});

export const poolSpec = z.object({
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
  serviceSelectors: z.array(labelSelector).optional(),
};

export const l2Spec = z.object({
  ...advertisementRefs,
  interfaces: z.array(z.string()).optional(),
  preferredNodeSelectors: z
    .array(
      z.object({
        weight: z.number().int().min(1).max(100),
        preference: labelSelector,
      }),
    )
    .optional(),
});

export const bgpAdvSpec = z.object({
  ...advertisementRefs,
  aggregationLength: z.number().int().min(0).max(32).optional(),
  aggregationLengthV6: z.number().int().min(0).max(128).optional(),
  localPref: z.number().int().min(0).max(4294967295).optional(),
  communities: z.array(z.string()).optional(),
  largeCommunities: z.array(z.string()).optional(),
  peers: z.array(z.string()).optional(),
  asPathPrepend: z.number().int().optional(),
});

const asn = z.number().int().min(1).max(4294967295);
export const peerSpec = z.object({
  myASN: asn,
  peerASN: z.number().int().min(0).max(4294967295).optional(),
  dynamicASN: z.enum(['internal', 'external']).optional(),
  localASN: asn.optional(),
  peerAddress: z.string().optional(),
  sourceAddress: z.string().optional(),
  peerPort: z.number().int().min(1).max(65535).optional(),
  holdTime: z.string().optional(),
  keepaliveTime: z.string().optional(),
  connectTime: z.string().optional(),
  routerID: z.string().optional(),
  nodeSelectors: z.array(labelSelector).optional(),
  password: z.string().optional(),
  passwordSecret: z
    .object({
      name: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
  bfdProfile: z.string().optional(),
  enableGracefulRestart: z.boolean().optional(),
  ebgpMultiHop: z.boolean().optional(),
  vrf: z.string().optional(),
  interface: z.string().optional(),
  disableMP: z.boolean().optional(),
  dualStackAddressFamily: z.boolean().optional(),
  passive: z.boolean().optional(),
});

export const communitySpec = z.object({
  communities: z
    .array(z.object({ name: z.string().min(1), value: z.string().min(1) }))
    .optional(),
});

/** Bounds as MetalLB's BFDProfile CRD and FRR's bfdd define them (milliseconds). */
export const bfdProfileSpec = z.object({
  receiveInterval: z.number().int().min(10).max(60000).optional(),
  transmitInterval: z.number().int().min(10).max(60000).optional(),
  detectMultiplier: z.number().int().min(2).max(255).optional(),
  echoInterval: z.number().int().min(10).max(60000).optional(),
  echoMode: z.boolean().optional(),
  passiveMode: z.boolean().optional(),
  minimumTtl: z.number().int().min(1).max(254).optional(),
});
