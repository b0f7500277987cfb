import { isIPv4, isIP } from 'node:net';
import { z } from 'zod';
import type { BGPPeer } from '../metallb/types';
import { tcpMd5KeyProblem } from './fsm/sockaddr';

const UNIT_SECONDS: Record<string, number> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};

/** A Go duration as MetalLB writes it (`90s`, `1m30s`) to whole seconds. */
export function parseDurationSeconds(text: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== text.length || text.length === 0) {
    throw new TypeError(`bad duration ${JSON.stringify(text)}`);
  }
  return Math.floor(total);
}

const asn = z.number().int().min(1).max(4294967295);

/** One BGP neighbour as the speaker runs it (BGPPeerSpec, durations in seconds). */
export const peerConfigSchema = z
  .object({
    name: z.string().min(1),
    myASN: asn,
    peerASN: asn,
    peerAddress: z.string().refine(a => isIP(a) !== 0, 'not an IP address'),
    peerPort: z.number().int().min(1).max(65535).default(179),
    sourceAddress: z
      .string()
      .refine(a => isIP(a) !== 0, 'not an IP address')
      .optional(),
    holdTime: z
      .number()
      .int()
      .refine(
        h => h === 0 || (h >= 3 && h <= 65535),
        'hold time is 0 or 3..65535',
      )
      .default(90),
    keepaliveTime: z.number().int().min(0).optional(),
    routerID: z
      .string()
      .refine(isIPv4, 'router ID is a dotted quad')
      .optional(),
    /** TCP-MD5 (RFC 2385) key; Linux caps it at 80 bytes. */
    password: z
      .string()
      .superRefine((p, ctx) => {
        const problem = tcpMd5KeyProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    ebgpMultiHop: z.boolean().default(false),
    passive: z.boolean().default(false),
    /** Next hops to announce instead of the session's local address. */
    nextHopV4: z.string().refine(isIPv4, 'not an IPv4 address').optional(),
    nextHopV6: z.string().optional(),
  })
  .strict();

export type PeerConfig = z.input<typeof peerConfigSchema>;
export type ResolvedPeerConfig = z.output<typeof peerConfigSchema>;

/**
 * The TTL (IPv6: hop limit) the speaker sends with, as FRR and BIRD do: 1 to a
 * directly connected eBGP peer, so that it is only reachable one hop away;
 * 255 with `ebgpMultiHop`; iBGP keeps the kernel default (undefined).
 */
export function outgoingTtl(peer: ResolvedPeerConfig): number | undefined {
  if (peer.myASN === peer.peerASN) return undefined;
  return peer.ebgpMultiHop ? 255 : 1;
}

/** Shapes a MetalLB BGPPeer resource into the speaker's peer config. */
export function peerConfigFromBGPPeer(peer: BGPPeer): PeerConfig {
  const s = peer.spec;
  return {
    name: peer.metadata.name,
    myASN: s.myASN,
    peerASN: s.peerASN,
    peerAddress: s.peerAddress,
    peerPort: s.peerPort,
    sourceAddress: s.sourceAddress,
    holdTime: s.holdTime ? parseDurationSeconds(s.holdTime) : undefined,
    keepaliveTime: s.keepaliveTime
      ? parseDurationSeconds(s.keepaliveTime)
      : undefined,
    routerID: s.routerID,
    password: s.password,
    ebgpMultiHop: s.ebgpMultiHop,
    passive: s.passive,
  };
}
