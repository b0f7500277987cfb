import { z } from 'zod';
import { MIN_KEY_BYTES } from './heartbeat/message';

/** Settings of one node's L2 announcer; defaults aim at sub-second failover. */
export const l2SettingsSchema = z.object({
  /** This node's name, as used in the VIPs' eligible node lists. */
  nodeName: z.string().min(1),
  /** Interfaces this node announces on (L2Advertisement `interfaces`, or the node's uplink). */
  interfaces: z.array(z.string().min(1)).min(1),
  heartbeat: z.object({
    port: z.number().int().min(1).max(65535).default(7473),
    /** Shared key from a Kubernetes Secret; at least 16 bytes. */
    key: z
      .union([z.string(), z.instanceof(Buffer)])
      .transform(key => (typeof key === 'string' ? Buffer.from(key) : key))
      .refine(key => key.length >= MIN_KEY_BYTES, {
        message: `heartbeat key must be at least ${MIN_KEY_BYTES} bytes`,
      }),
    intervalMs: z.number().int().min(10).default(100),
    /** A peer is gone after this many intervals without a beat. */
    missedBeats: z.number().int().min(1).default(3),
    /** Addresses of the other agents on the segment (`host`, `host:port`, `[v6]:port`). */
    peers: z.array(z.string().min(1)).default([]),
    maxClockSkewMs: z.number().int().min(0).default(30_000),
  }),
  /**
   * Probing before the first claim (RFC 5227 §2.1.1, RFC 4862 §5.4). RFC 5227's host
   * timings (PROBE_MIN 1 s … ANNOUNCE_WAIT 2 s) are shortened: the answers that matter
   * come from devices on the same segment within milliseconds, and a VIP that waits
   * seconds for its first announcement is a visible outage.
   */
  probe: z
    .object({
      count: z.number().int().min(1).default(3),
      intervalMs: z.number().int().min(1).default(100),
      waitMs: z.number().int().min(0).default(200),
      /** After a conflict, probe again this often; claim once nobody answers. */
      recheckMs: z.number().int().min(100).default(5_000),
    })
    .default({}),
  /** Gratuitous ARP / unsolicited NA on takeover, repeated for switches that miss one. */
  announce: z
    .object({
      count: z.number().int().min(1).default(3),
      intervalMs: z.number().int().min(1).default(300),
      /** Repeat one gratuitous frame this often while announcing; unset: never. */
      refreshMs: z.number().int().min(100).optional(),
    })
    .default({}),
  /**
   * Ownership is non-revertive (election/ownership.ts): a VIP stays with its healthy
   * owner when a preferred node returns. With this set, the most preferred node
   * takes it back once it has been ready this long; unset: never.
   */
  preemptAfterMs: z.number().int().min(0).optional(),
  /** Put owned VIPs on this dummy interface (see wire/kernelAddresses.ts). */
  localAddressInterface: z.string().min(1).optional(),
});

export type L2SettingsInput = z.input<typeof l2SettingsSchema>;
export type L2Settings = z.output<typeof l2SettingsSchema>;

/** One address to announce in L2 mode, as the speaker's watch layer derives it. */
export interface L2Vip {
  address: string;
  /** Names of the nodes allowed to announce it (L2Advertisement `nodeSelectors`). */
  nodes: string[];
  /** Interfaces to announce it on (L2Advertisement `interfaces`); empty: all configured. */
  interfaces?: string[];
  /**
   * L2Advertisement `preferredNodeSelectors`: node → the sum of the weights it
   * matches. The healthy eligible nodes with the highest score are preferred.
   */
  nodeScores?: Record<string, number>;
}
