import type { z } from 'zod';
import type { BGPPeer, LabelSelector } from '../metallb/types';
import { parseAddress } from './addresses';
import { parseGoDuration } from './duration';
import { bfdProfileSpec } from './metallbSchemas';
import { peerSpec } from './metallbSchemas';
import {
  ConfigProblem,
  parseObjects,
  unsupportedFields,
  V1BETA1,
  V1BETA2,
} from './metallbParse';
import type { ObjectRef } from './objectRef';
import { resolvePeerPassword, SecretIndex } from './peerSecrets';

/** A BFDProfile with MetalLB's (FRR's) defaults filled in; intervals in ms. */
export interface BFDProfileConfig {
  name: string;
  ref: ObjectRef;
  receiveInterval: number;
  transmitInterval: number;
  detectMultiplier: number;
  echoInterval: number;
  echoMode: boolean;
  passiveMode: boolean;
  minimumTtl: number;
}

export interface BGPPeerConfig {
  name: string;
  ref: ObjectRef;
  labels: Record<string, string>;
  resource: BGPPeer;
  /** The router-level ASN (`myASN`). */
  myASN: number;
  /** The ASN this session announces: `localASN` when set (FRR `local-as … replace-as`), else `myASN`. */
  sessionASN: number;
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
  /** The BFDProfile `bfdProfile` names, resolved. */
  bfd?: BFDProfileConfig;
}

export function parseBfdProfiles(
  raw: unknown[],
  problems: ConfigProblem[],
): Map<string, BFDProfileConfig> {
  const out = new Map<string, BFDProfileConfig>();
  for (const { meta: m, spec, ref } of parseObjects(
    raw,
    bfdProfileSpec,
    V1BETA1,
    'BFDProfile',
    problems,
  ) as Array<{
    meta: { name: string };
    spec: z.infer<typeof bfdProfileSpec>;
    ref: ObjectRef;
  }>) {
    out.set(m.name, {
      name: m.name,
      ref,
      receiveInterval: spec.receiveInterval ?? 300,
      transmitInterval: spec.transmitInterval ?? 300,
      detectMultiplier: spec.detectMultiplier ?? 3,
      echoInterval: spec.echoInterval ?? 50,
      echoMode: spec.echoMode ?? false,
      passiveMode: spec.passiveMode ?? false,
      minimumTtl: spec.minimumTtl ?? 254,
    });
  }
  return out;
}

const UNSUPPORTED = {
  vrf: { why: "Portico's speaker peers in the node's main routing table only" },
  interface: {
    why: "Portico's speaker does not do unnumbered BGP; set peerAddress",
  },
  dynamicASN: { why: 'set peerASN to the neighbour AS number' },
  connectTime: {
    why: "Portico's speaker retries connections on its own fixed timer",
  },
  enableGracefulRestart: {
    unless: false,
    why: "Portico's speaker does not do BGP graceful restart (RFC 4724)",
  },
  dualStackAddressFamily: {
    unless: false,
    why: "Portico's speaker sends each session its own address family only",
  },
};

export function parsePeers(
  raw: unknown[],
  secrets: SecretIndex,
  bfdProfiles: Map<string, BFDProfileConfig>,
  problems: ConfigProblem[],
): BGPPeerConfig[] {
  const peers: BGPPeerConfig[] = [];
  for (const { meta: m, spec, ref } of parseObjects(
    raw,
    peerSpec,
    V1BETA2,
    'BGPPeer',
    problems,
  ) as Array<{
    meta: {
      name: string;
      namespace?: string;
      labels?: Record<string, string>;
    };
    spec: z.infer<typeof peerSpec>;
    ref: ObjectRef;
  }>) {
    const refused = unsupportedFields('BGPPeer', spec, UNSUPPORTED);
    if (refused.length > 0) {
      problems.push({ ref, message: refused.join('; ') });
      continue;
    }
    const errors: string[] = [];
    if (spec.peerASN === undefined || spec.peerASN === 0) {
      errors.push('peerASN is required (1 to 4294967295)');
    }
    const peerAddress = spec.peerAddress
      ? parseAddress(spec.peerAddress)
      : undefined;
    if (!peerAddress) {
      errors.push(
        spec.peerAddress
          ? `peerAddress "${spec.peerAddress}" is not an IP address`
          : 'peerAddress is required',
      );
    }
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
    const bfd = spec.bfdProfile ? bfdProfiles.get(spec.bfdProfile) : undefined;
    if (spec.bfdProfile && !bfd) {
      errors.push(
        `bfdProfile names unknown or invalid BFDProfile ${spec.bfdProfile}`,
      );
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
      resource: {
        apiVersion: V1BETA2,
        kind: 'BGPPeer',
        metadata: m,
        spec: {
          ...spec,
          peerASN: spec.peerASN!,
          peerAddress: peerAddress!.text,
        },
      },
      labels: m.labels ?? {},
      myASN: spec.myASN,
      sessionASN: spec.localASN ?? spec.myASN,
      peerASN: spec.peerASN!,
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
      bfd,
    });
  }
  return peers;
}
