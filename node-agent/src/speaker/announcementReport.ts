import type { PeerStatus } from '../bgp';
import type { Route } from '../bgp/announcer/types';
import type { L2Status } from '../l2';
import type { GrantInfo } from '../kube/grants';

export type AnnouncementMode = 'l2' | 'bgp';

/** What one node writes under `status.announcers.<node>` of an ExposureGrant. */
export interface AnnouncerEntry {
  mode: AnnouncementMode;
  addresses: string[];
  /**
   * RFC 3339; rewritten every ANNOUNCER_RENEW_MS while the node announces, so a
   * reader can tell a live entry from one a dead node left behind.
   */
  renewedAt: string;
  /** Addresses of the grant another device answers for (RFC 5227 probe or claim). */
  conflicts?: Array<{ address: string; mac: string; how: string; at: string }>;
  /** With `bgp`: every BGP session of this node, so a down peer shows too. */
  bgpSessions?: Array<{
    peer: string;
    peerAddress: string;
    state: string;
    lastError?: string;
  }>;
}

/** What this node does with addresses right now. */
export interface NodeAnnouncements {
  announced: Map<string, AnnouncementMode>;
  conflicts: Map<string, { mac: string; how: string; at: string }>;
  sessions: NonNullable<AnnouncerEntry['bgpSessions']>;
}

/** How often a live entry is renewed; readers treat 3× this as stale. */
export const ANNOUNCER_RENEW_MS = 20_000;

/**
 * The addresses this node puts on the wire right now (L2 VIPs it owns and
 * announces, BGP host routes held by at least one Established peer), the L2
 * addresses it refuses because another device holds them, and its BGP sessions.
 */
export function nodeAnnouncements(
  nodeName: string,
  l2: L2Status | undefined,
  bgpRoutes: Map<string, Route[]>,
  peers: PeerStatus[],
): NodeAnnouncements {
  const out = new Map<string, AnnouncementMode>();
  const conflicts: NodeAnnouncements['conflicts'] = new Map();
  for (const vip of l2?.vips ?? []) {
    if (vip.owner === nodeName && vip.announcing) out.set(vip.address, 'l2');
    if (vip.state === 'conflict' && vip.conflict) {
      const { mac, how, at } = vip.conflict;
      conflicts.set(vip.address, { mac, how, at });
    }
  }
  const established = new Set(
    peers.filter(p => p.state === 'Established').map(p => p.name),
  );
  for (const [peer, routes] of bgpRoutes) {
    if (!established.has(peer)) continue;
    for (const route of routes) {
      const [address, length] = route.prefix.split('/');
      const host = address.includes(':') ? '128' : '32';
      if (length === host && !out.has(address)) out.set(address, 'bgp');
    }
  }
  const sessions = peers.map(p => ({
    peer: p.name,
    peerAddress: p.peerAddress,
    state: p.state,
    ...(p.lastError ? { lastError: p.lastError } : {}),
  }));
  return { announced: out, conflicts, sessions };
}

/**
 * The grant status patches that make `status.announcers.<node>` say what this
 * node announces: an entry where it announces one of the grant's addresses, a
 * null (RFC 7386: remove) where it stopped. Only grants whose entry changed since
 * `reported` are returned; `reported` is updated by the caller once written.
 */
export function announcerPatches(
  grants: GrantInfo[],
  node: NodeAnnouncements,
  reported: Map<string, { key: string; at: number }>,
  now: number,
): Array<{ grant: string; entry: AnnouncerEntry | null; key: string }> {
  const patches: Array<{
    grant: string;
    entry: AnnouncerEntry | null;
    key: string;
  }> = [];
  for (const grant of grants) {
    const addresses = grant.addresses.filter(a => node.announced.has(a)).sort();
    const conflicts = grant.addresses
      .filter(a => node.conflicts.has(a))
      .sort()
      .map(address => ({ address, ...node.conflicts.get(address)! }));
    let what: Omit<AnnouncerEntry, 'renewedAt'> | null = null;
    if (addresses.length || conflicts.length) {
      const mode = addresses.length ? node.announced.get(addresses[0])! : 'l2';
      what = {
        mode,
        addresses,
        ...(conflicts.length ? { conflicts } : {}),
        ...(mode === 'bgp' ? { bgpSessions: node.sessions } : {}),
      };
    }
    const key = JSON.stringify(what);
    const last = reported.get(grant.name);
    const due = what !== null && now - (last?.at ?? 0) >= ANNOUNCER_RENEW_MS;
    if (last?.key === key && !due) continue;
    patches.push({
      grant: grant.name,
      entry: what && { ...what, renewedAt: new Date(now).toISOString() },
      key,
    });
  }
  return patches;
}
