import { Afi, CapabilityCode, Safi } from './constants';
import type { Family } from './address';

/** Capabilities advertised in OPEN (RFC 5492); unknown ones are kept raw. */
export type Capability =
  | { code: typeof CapabilityCode.MULTIPROTOCOL; afi: number; safi: number }
  | { code: typeof CapabilityCode.ROUTE_REFRESH }
  | { code: typeof CapabilityCode.ENHANCED_ROUTE_REFRESH }
  | { code: typeof CapabilityCode.FOUR_OCTET_AS; asn: number }
  | {
      code: typeof CapabilityCode.GRACEFUL_RESTART;
      restartState: boolean;
      restartTime: number;
      families: Array<{ afi: number; safi: number; forwardingState: boolean }>;
    }
  | { code: number; raw: Buffer };

export function familyAfi(family: Family): number {
  return family === 'ipv4' ? Afi.IPV4 : Afi.IPV6;
}

export function encodeCapability(cap: Capability): Buffer {
  let value: Buffer;
  if ('raw' in cap) {
    value = cap.raw;
  } else {
    switch (cap.code) {
      case CapabilityCode.MULTIPROTOCOL:
        // RFC 4760 §8: AFI, reserved, SAFI.
        value = Buffer.from([cap.afi >> 8, cap.afi & 0xff, 0, cap.safi]);
        break;
      case CapabilityCode.FOUR_OCTET_AS:
        value = Buffer.alloc(4);
        value.writeUInt32BE(cap.asn);
        break;
      case CapabilityCode.GRACEFUL_RESTART: {
        // RFC 4724 §3: R bit, 12-bit restart time, then per AFI/SAFI flags.
        value = Buffer.alloc(2 + 4 * cap.families.length);
        value.writeUInt16BE(
          (cap.restartState ? 0x8000 : 0) | (cap.restartTime & 0x0fff),
        );
        cap.families.forEach((f, i) => {
          value.writeUInt16BE(f.afi, 2 + i * 4);
          value[4 + i * 4] = f.safi;
          value[5 + i * 4] = f.forwardingState ? 0x80 : 0;
        });
        break;
      }
      default:
        value = Buffer.alloc(0);
    }
  }
  return Buffer.concat([Buffer.from([cap.code, value.length]), value]);
}

/** Decodes one capability value; a malformed known one is kept raw. */
export function decodeCapability(code: number, value: Buffer): Capability {
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL:
      if (value.length === 4) {
        return { code, afi: value.readUInt16BE(0), safi: value[3] };
      }
      break;
    case CapabilityCode.ROUTE_REFRESH:
      if (value.length === 0) return { code };
      break;
    case CapabilityCode.ENHANCED_ROUTE_REFRESH:
      if (value.length === 0) return { code };
      break;
    case CapabilityCode.FOUR_OCTET_AS:
      if (value.length === 4) return { code, asn: value.readUInt32BE(0) };
      break;
    case CapabilityCode.GRACEFUL_RESTART:
      if (value.length >= 2 && (value.length - 2) % 4 === 0) {
        const head = value.readUInt16BE(0);
        const families = [];
        for (let i = 2; i < value.length; i += 4) {
          families.push({
            afi: value.readUInt16BE(i),
            safi: value[i + 2],
            forwardingState: (value[i + 3] & 0x80) !== 0,
          });
        }
        return {
          code,
          restartState: (head & 0x8000) !== 0,
          restartTime: head & 0x0fff,
          families,
        };
      }
      break;
    default:
  }
  return { code, raw: Buffer.from(value) };
}

export function hasFamily(
  caps: readonly Capability[],
  family: Family,
): boolean {
  const afi = familyAfi(family);
  return caps.some(
    c =>
      c.code === CapabilityCode.MULTIPROTOCOL &&
      'afi' in c &&
      c.afi === afi &&
      c.safi === Safi.UNICAST,
  );
}
