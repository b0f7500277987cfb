import { icmpv6Checksum } from './checksum';
import { Decoded, rejected } from './decoded';
import { bytesToIpv6, ipv6ToBytes } from './ip';
import { bytesToMac, macToBytes } from './mac';

/** Neighbor Discovery messages for IPv6 (RFC 4861 §4.3, §4.4). */
export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;

/** RFC 4861 §4.6.1 link-layer address options; other options are kept raw. */
export type NdpOption =
  | { kind: 'source-link-layer-address'; mac: string }
  | { kind: 'target-link-layer-address'; mac: string }
  | { kind: 'other'; type: number; data: Buffer };

export type NdpMessage =
  | { type: 'neighbor-solicitation'; target: string; options: NdpOption[] }
  | {
      type: 'neighbor-advertisement';
      router: boolean;
      solicited: boolean;
      override: boolean;
      target: string;
      options: NdpOption[];
    };

const BODY_LENGTH = 24; // type, code, checksum, 4 bytes flags/reserved, target

/**
 * Decodes an ICMPv6 NS or NA with the checks of RFC 4861 §7.1.1 / §7.1.2 that
 * need only the packet: hop limit 255, code 0, checksum, option lengths.
 */
export function decodeNdp(
  icmp: Buffer,
  ip: { source: string; destination: string; hopLimit: number },
): Decoded<NdpMessage> {
  if (icmp.length < BODY_LENGTH) {
    return rejected('ndp message shorter than 24 bytes');
  }
  const type = icmp[0];
  if (
    type !== ICMPV6_NEIGHBOR_SOLICITATION &&
    type !== ICMPV6_NEIGHBOR_ADVERTISEMENT
  ) {
    return rejected(`icmpv6 type ${type} is not NS or NA`);
  }
  if (ip.hopLimit !== 255) {
    return rejected('hop limit is not 255 (off-link sender)');
  }
  if (icmp[1] !== 0) {
    return rejected('icmpv6 code is not 0');
  }
  const checksum = icmpv6Checksum(
    ipv6ToBytes(ip.source),
    ipv6ToBytes(ip.destination),
    icmp,
  );
  // Summing a packet that carries its own correct checksum yields 0.
  if (checksum !== 0) {
    return rejected('bad icmpv6 checksum');
  }
  const target = bytesToIpv6(icmp.subarray(8, 24));
  if (icmp[8] === 0xff) {
    return rejected('target is a multicast address');
  }
  const options = decodeOptions(icmp.subarray(BODY_LENGTH));
  if (!options.ok) {
    return options;
  }
  if (type === ICMPV6_NEIGHBOR_SOLICITATION) {
    return {
      ok: true,
      value: { type: 'neighbor-solicitation', target, options: options.value },
    };
  }
  const flags = icmp[4];
  return {
    ok: true,
    value: {
      type: 'neighbor-advertisement',
      router: (flags & 0x80) !== 0,
      solicited: (flags & 0x40) !== 0,
      override: (flags & 0x20) !== 0,
      target,
      options: options.value,
    },
  };
}

function decodeOptions(bytes: Buffer): Decoded<NdpOption[]> {
  const options: NdpOption[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 2 > bytes.length) {
      return rejected('truncated ndp option header');
    }
    const type = bytes[offset];
    const length = bytes[offset + 1] * 8;
    // RFC 4861 §4.6: a zero length option must cause the packet to be dropped.
    if (length === 0) {
      return rejected('ndp option with length 0');
    }
    if (offset + length > bytes.length) {
      return rejected('ndp option runs past the packet');
    }
    const data = bytes.subarray(offset + 2, offset + length);
    if ((type === 1 || type === 2) && data.length >= 6) {
      options.push({
        kind:
          type === 1
            ? 'source-link-layer-address'
            : 'target-link-layer-address',
        mac: bytesToMac(data),
      });
    } else {
      options.push({ kind: 'other', type, data: Buffer.from(data) });
    }
    offset += length;
  }
  return { ok: true, value: options };
}

/** Encodes an NS or NA with its checksum for the given IPv6 source and destination. */
export function encodeNdp(
  message: NdpMessage,
  ip: { source: string; destination: string },
): Buffer {
  const options = message.options.map(encodeOption);
  const out = Buffer.concat([Buffer.alloc(BODY_LENGTH), ...options]);
  if (message.type === 'neighbor-solicitation') {
    out[0] = ICMPV6_NEIGHBOR_SOLICITATION;
  } else {
    out[0] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
    out[4] =
      (message.router ? 0x80 : 0) |
      (message.solicited ? 0x40 : 0) |
      (message.override ? 0x20 : 0);
  }
  ipv6ToBytes(message.target).copy(out, 8);
  const checksum = icmpv6Checksum(
    ipv6ToBytes(ip.source),
    ipv6ToBytes(ip.destination),
    out,
  );
  out.writeUInt16BE(checksum, 2);
  return out;
}

function encodeOption(option: NdpOption): Buffer {
  if (option.kind === 'other') {
    const length = Math.ceil((option.data.length + 2) / 8) * 8;
    const out = Buffer.alloc(length);
    out[0] = option.type;
    out[1] = length / 8;
    option.data.copy(out, 2);
    return out;
  }
  const out = Buffer.alloc(8);
  out[0] = option.kind === 'source-link-layer-address' ? 1 : 2;
  out[1] = 1;
  macToBytes(option.mac).copy(out, 2);
  return out;
}

export function linkLayerAddress(
  options: NdpOption[],
  kind: 'source-link-layer-address' | 'target-link-layer-address',
): string | undefined {
  for (const option of options) {
    if (option.kind === kind) {
      return option.mac;
    }
  }
  return undefined;
}
