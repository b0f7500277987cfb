import type { PeerStatus } from '../bgp';
import type { Route } from '../bgp/announcer/types';
import type { L2Status } from '../l2';
import type { GrantInfo } from '../kube/grants';

export type AnnouncementMode = 'l2' | 'bgp';

/** What one node writes under `status.announcers.<node>` of an ExposureGrant. */
export interface AnnouncerEntry {
  mode: AnnouncementMode;
  addresses: string[];
}

/**
 * The addresses this node puts on the wire right now: L2 VIPs it owns and
 * announces, and BGP host routes held by at least one Established peer.
 */
export function announcedAddresses(
  nodeName: string,
  l2: L2Status | undefined,
  bgpRoutes: Map<string, Route[]>,
  peers: PeerStatus[],
): Map<string, AnnouncementMode> {
  const out = new Map<string, AnnouncementMode>();
  for (const vip of l2?.vips ?? []) {
    if (vip.owner === nodeName && vip.announcing) out.set(vip.address, 'l2');
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
  return out;
}

/**
 * The grant status patches that make `status.announcers.<node>` say what this
 * node announces: an entry where it announces one of the grant's addresses, a
 * null (RFC 7386: remove) where it stopped. Only grants whose entry changed since
 * `reported` are returned; `reported` is updated by the caller once written.
 */
export function announcerPatches(
  grants: GrantInfo[],
  announced: Map<string, AnnouncementMode>,
  reported: Map<string, string>,
): Array<{ grant: string; entry: AnnouncerEntry | null; key: string }> {
  const patches: Array<{
    grant: string;
    entry: AnnouncerEntry | null;
    key: string;
  }> = [];
  for (const grant of grants) {
    const addresses = grant.addresses.filter(a => announced.has(a)).sort();
    const entry: AnnouncerEntry | null = addresses.length
      ? { mode: announced.get(addresses[0])!, addresses }
      : null;
    const key = JSON.stringify(entry);
    if (reported.get(grant.name) === key) continue;
    patches.push({ grant: grant.name, entry, key });
  }
  return patches;
}
