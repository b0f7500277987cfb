import { arpReply, L2Frame, neighborAdvertisement } from '../codec/frame';
import { IPV6_UNSPECIFIED } from '../codec/ip';
import { linkLayerAddress } from '../codec/ndp';

/** What one interface of this node does with an address it sees on the wire. */
export interface InterfaceView {
  /** This interface's MAC. */
  mac: string;
  /** We answer for this address here. */
  isAnnouncing(address: string): boolean;
  /** We are probing or announcing this address: claims by others matter. */
  isWatching(address: string): boolean;
  /** The MAC belongs to another agent of this cluster (from its heartbeats). */
  isPeerMac(mac: string): boolean;
}

export type FrameDecision =
  | { action: 'answer'; address: string; reply: Buffer }
  | { action: 'foreign-claim'; address: string; mac: string; how: string }
  /** Another agent claims an address we announce: one of us has a stale view. */
  | { action: 'peer-claim'; address: string; mac: string }
  | { action: 'ignore'; reason: string };

/** A frame in which a host says "this address is mine", and the MAC it gives. */
function claimIn(
  frame: L2Frame,
): { address: string; mac: string; how: string } | undefined {
  if (frame.kind === 'arp') {
    const { arp } = frame;
    if (arp.senderIp !== '0.0.0.0') {
      return {
        address: arp.senderIp,
        mac: arp.senderMac,
        how: `arp ${arp.operation}`,
      };
    }
    return undefined;
  }
  const { ndp } = frame;
  if (ndp.type === 'neighbor-advertisement') {
    const mac =
      linkLayerAddress(ndp.options, 'target-link-layer-address') ??
      frame.sourceMac;
    return { address: ndp.target, mac, how: 'neighbor advertisement' };
  }
  if (frame.ipSource !== IPV6_UNSPECIFIED) {
    const mac =
      linkLayerAddress(ndp.options, 'source-link-layer-address') ??
      frame.sourceMac;
    return {
      address: frame.ipSource,
      mac,
      how: 'neighbor solicitation source',
    };
  }
  return undefined;
}

/** A probe for an address by a host that wants it (RFC 5227 §2.1.1, RFC 4862 §5.4.2). */
function probeIn(frame: L2Frame): { address: string; mac: string } | undefined {
  if (
    frame.kind === 'arp' &&
    frame.arp.operation === 'request' &&
    frame.arp.senderIp === '0.0.0.0'
  ) {
    return { address: frame.arp.targetIp, mac: frame.arp.senderMac };
  }
  if (
    frame.kind === 'ndp' &&
    frame.ndp.type === 'neighbor-solicitation' &&
    frame.ipSource === IPV6_UNSPECIFIED
  ) {
    return { address: frame.ndp.target, mac: frame.sourceMac };
  }
  return undefined;
}

/**
 * One ARP/NDP frame in, one decision out (the shape of MetalLB's
 * internal/layer2/arp.go processRequest): answer it, report a foreign claim on an
 * address we probe or announce, or ignore it with the reason.
 */
export function decideFrame(
  frame: L2Frame,
  view: InterfaceView,
): FrameDecision {
  if (frame.sourceMac === view.mac) {
    return { action: 'ignore', reason: 'our own frame' };
  }
  const claim = claimIn(frame);
  if (claim && view.isWatching(claim.address)) {
    if (
      claim.mac === view.mac ||
      view.isPeerMac(claim.mac) ||
      view.isPeerMac(frame.sourceMac)
    ) {
      if (claim.mac !== view.mac && view.isAnnouncing(claim.address)) {
        return { action: 'peer-claim', address: claim.address, mac: claim.mac };
      }
      return {
        action: 'ignore',
        reason: 'claim by another agent of this cluster',
      };
    }
    return { action: 'foreign-claim', ...claim };
  }
  const probe = probeIn(frame);
  if (
    probe &&
    view.isWatching(probe.address) &&
    !view.isAnnouncing(probe.address)
  ) {
    // RFC 5227 §2.1.1: another host probing the address we are probing is a conflict.
    if (!view.isPeerMac(probe.mac)) {
      return {
        action: 'foreign-claim',
        address: probe.address,
        mac: probe.mac,
        how: 'probe',
      };
    }
  }
  if (frame.kind === 'arp') {
    const { arp } = frame;
    if (arp.operation === 'request' && view.isAnnouncing(arp.targetIp)) {
      return {
        action: 'answer',
        address: arp.targetIp,
        reply: arpReply(view.mac, arp.targetIp, arp),
      };
    }
    return {
      action: 'ignore',
      reason: 'not a request for an address we announce',
    };
  }
  const { ndp } = frame;
  if (ndp.type === 'neighbor-solicitation' && view.isAnnouncing(ndp.target)) {
    const requester =
      linkLayerAddress(ndp.options, 'source-link-layer-address') ??
      frame.sourceMac;
    return {
      action: 'answer',
      address: ndp.target,
      reply: neighborAdvertisement(view.mac, ndp.target, {
        sourceMac: requester,
        ipSource: frame.ipSource,
      }),
    };
  }
  return {
    action: 'ignore',
    reason: 'not a solicitation for an address we announce',
  };
}
