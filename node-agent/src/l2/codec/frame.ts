import { ArpPacket, decodeArp, encodeArp } from './arp';
import { Decoded, rejected } from './decoded';
import {
  decodeEthernet,
  encodeEthernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
} from './ethernet';
import { decodeIpv6, encodeIpv6, NEXT_HEADER_ICMPV6 } from './ipv6';
import {
  IPV6_ALL_NODES,
  IPV6_UNSPECIFIED,
  ipv6MulticastMac,
  solicitedNodeAddress,
} from './ip';
import { BROADCAST_MAC, ZERO_MAC } from './mac';
import { decodeNdp, encodeNdp, NdpMessage } from './ndp';

/** One frame off the wire, as the announcer sees it. */
export type L2Frame =
  | { kind: 'arp'; sourceMac: string; arp: ArpPacket }
  | {
      kind: 'ndp';
      sourceMac: string;
      ipSource: string;
      ipDestination: string;
      ndp: NdpMessage;
    };

export function decodeFrame(bytes: Buffer): Decoded<L2Frame> {
  const ethernet = decodeEthernet(bytes);
  if (!ethernet) {
    return rejected('frame shorter than an ethernet header');
  }
  if (ethernet.etherType === ETHERTYPE_ARP) {
    const arp = decodeArp(ethernet.payload);
    return arp.ok
      ? {
          ok: true,
          value: { kind: 'arp', sourceMac: ethernet.source, arp: arp.value },
        }
      : arp;
  }
  if (ethernet.etherType !== ETHERTYPE_IPV6) {
    return rejected(`ethertype ${ethernet.etherType} is neither arp nor ipv6`);
  }
  const ip = decodeIpv6(ethernet.payload);
  if (!ip.ok) {
    return ip;
  }
  if (ip.value.nextHeader !== NEXT_HEADER_ICMPV6) {
    return rejected('ipv6 next header is not icmpv6');
  }
  const ndp = decodeNdp(ip.value.payload, ip.value);
  if (!ndp.ok) {
    return ndp;
  }
  return {
    ok: true,
    value: {
      kind: 'ndp',
      sourceMac: ethernet.source,
      ipSource: ip.value.source,
      ipDestination: ip.value.destination,
      ndp: ndp.value,
    },
  };
}

function arpFrame(destination: string, source: string, arp: ArpPacket): Buffer {
  return encodeEthernet({
    destination,
    source,
    etherType: ETHERTYPE_ARP,
    payload: encodeArp(arp),
  });
}

/** Reply to an ARP request for `address`, which we own (RFC 826). */
export function arpReply(
  mac: string,
  address: string,
  request: ArpPacket,
): Buffer {
  return arpFrame(request.senderMac, mac, {
    operation: 'reply',
    senderMac: mac,
    senderIp: address,
    targetMac: request.senderMac,
    targetIp: request.senderIp,
  });
}

/**
 * Gratuitous ARP, both as a request (the RFC 5227 §3 "ARP Announcement") and as a
 * reply, broadcast: some devices only update their caches from one of the two, which
 * is why MetalLB (internal/layer2/arp.go) sends both as well.
 */
export function gratuitousArp(mac: string, address: string): Buffer[] {
  return (['request', 'reply'] as const).map(operation =>
    arpFrame(BROADCAST_MAC, mac, {
      operation,
      senderMac: mac,
      senderIp: address,
      targetMac: operation === 'request' ? ZERO_MAC : BROADCAST_MAC,
      targetIp: address,
    }),
  );
}

/** RFC 5227 §2.1.1 ARP Probe: sender IP all zeros so no cache learns from it. */
export function arpProbe(mac: string, address: string): Buffer {
  return arpFrame(BROADCAST_MAC, mac, {
    operation: 'request',
    senderMac: mac,
    senderIp: '0.0.0.0',
    targetMac: ZERO_MAC,
    targetIp: address,
  });
}

function ndpFrame(
  destinationMac: string,
  sourceMac: string,
  ip: { source: string; destination: string },
  message: NdpMessage,
): Buffer {
  return encodeEthernet({
    destination: destinationMac,
    source: sourceMac,
    etherType: ETHERTYPE_IPV6,
    payload: encodeIpv6({
      nextHeader: NEXT_HEADER_ICMPV6,
      hopLimit: 255,
      source: ip.source,
      destination: ip.destination,
      payload: encodeNdp(message, ip),
    }),
  });
}

/**
 * Solicited NA for `address` (RFC 4861 §7.2.4). A solicitation from the unspecified
 * address (duplicate address detection) is answered to all-nodes with S=0.
 */
export function neighborAdvertisement(
  mac: string,
  address: string,
  solicitation: { sourceMac: string; ipSource: string },
): Buffer {
  const fromDad = solicitation.ipSource === IPV6_UNSPECIFIED;
  const destination = fromDad ? IPV6_ALL_NODES : solicitation.ipSource;
  return ndpFrame(
    fromDad ? ipv6MulticastMac(IPV6_ALL_NODES) : solicitation.sourceMac,
    mac,
    { source: address, destination },
    {
      type: 'neighbor-advertisement',
      router: false,
      solicited: !fromDad,
      override: true,
      target: address,
      options: [{ kind: 'target-link-layer-address', mac }],
    },
  );
}

/** Unsolicited NA with the override flag, to all-nodes (RFC 4861 §7.2.6). */
export function unsolicitedNeighborAdvertisement(
  mac: string,
  address: string,
): Buffer {
  return ndpFrame(
    ipv6MulticastMac(IPV6_ALL_NODES),
    mac,
    { source: address, destination: IPV6_ALL_NODES },
    {
      type: 'neighbor-advertisement',
      router: false,
      solicited: false,
      override: true,
      target: address,
      options: [{ kind: 'target-link-layer-address', mac }],
    },
  );
}

/**
 * Duplicate address detection probe (RFC 4862 §5.4.2): NS from the unspecified
 * address to the solicited-node group, without a source link-layer option.
 */
export function neighborSolicitationProbe(
  mac: string,
  address: string,
): Buffer {
  const group = solicitedNodeAddress(address);
  return ndpFrame(
    ipv6MulticastMac(group),
    mac,
    { source: IPV6_UNSPECIFIED, destination: group },
    { type: 'neighbor-solicitation', target: address, options: [] },
  );
}
