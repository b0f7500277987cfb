import { bytesToIpv4, ipv4ToBytes } from './address';
import { Capability, decodeCapability, encodeCapability } from './capabilities';
import {
  AS_TRANS,
  CapabilityCode,
  ErrorCode,
  MessageType,
  OpenSubcode,
} from './constants';
import { BgpError, guardDecode } from './errors';
import { frame } from './header';

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The real AS: the 4-octet AS capability's value when present (RFC 6793). */
  asn: number;
  holdTime: number;
  routerId: string;
  capabilities: Capability[];
}

const OPT_PARAM_CAPABILITIES = 2;

/**
 * Encodes OPEN (RFC 4271 §4.2). An AS above 65535 goes as AS_TRANS in the
 * 2-octet field and in full in the 4-octet AS capability, which is added when
 * the caller did not list it (RFC 6793 §3).
 */
export function encodeOpen(msg: Omit<OpenMessage, 'type'>): Buffer {
  const caps = [...msg.capabilities];
  if (!caps.some(c => c.code === CapabilityCode.FOUR_OCTET_AS)) {
    caps.push({ code: CapabilityCode.FOUR_OCTET_AS, asn: msg.asn });
  }
  // One Capabilities parameter per capability, as BIRD, GoBGP and FRR send.
  const params = Buffer.concat(
    caps.map(c => {
      const cap = encodeCapability(c);
      return Buffer.concat([
        Buffer.from([OPT_PARAM_CAPABILITIES, cap.length]),
        cap,
      ]);
    }),
  );
  if (params.length > 255)
    throw new RangeError('OPEN optional parameters too long');
  const body = Buffer.alloc(10);
  body[0] = msg.version;
  body.writeUInt16BE(msg.asn > 0xffff ? AS_TRANS : msg.asn, 1);
  body.writeUInt16BE(msg.holdTime, 3);
  ipv4ToBytes(msg.routerId).copy(body, 5);
  body[9] = params.length;
  return frame(MessageType.OPEN, Buffer.concat([body, params]));
}

function openError(subcode: number, message: string, data?: Buffer) {
  return new BgpError(ErrorCode.OPEN_MESSAGE, subcode, message, data);
}

/**
 * Decodes an OPEN message (header included) and applies the checks that need no
 * configuration (RFC 4271 §6.2): version, hold time, identifier, parameters.
 * The peer AS is checked by the session, which knows what it expects.
 */
export function decodeOpen(buf: Buffer): OpenMessage {
  const body = buf.subarray(19);
  return guardDecode(
    () => {
      const version = body[0];
      if (version !== 4) {
        throw openError(
          OpenSubcode.UNSUPPORTED_VERSION,
          `unsupported BGP version ${version}`,
          Buffer.from([0, 4]),
        );
      }
      const asn2 = body.readUInt16BE(1);
      const holdTime = body.readUInt16BE(3);
      if (holdTime === 1 || holdTime === 2) {
        throw openError(
          OpenSubcode.UNACCEPTABLE_HOLD_TIME,
          `unacceptable hold time ${holdTime}`,
        );
      }
      const idBytes = body.subarray(5, 9);
      if (idBytes.length !== 4) throw new RangeError();
      const routerId = bytesToIpv4(idBytes);
      if (idBytes.readUInt32BE(0) === 0) {
        throw openError(
          OpenSubcode.BAD_BGP_IDENTIFIER,
          'BGP identifier 0.0.0.0',
        );
      }
      const paramsLength = body[9];
      if (10 + paramsLength !== body.length) {
        throw new BgpError(
          ErrorCode.MESSAGE_HEADER,
          2,
          'OPEN parameter length does not match message length',
        );
      }
      const capabilities: Capability[] = [];
      let i = 10;
      while (i < body.length) {
        const ptype = body[i];
        const plen = body[i + 1];
        if (plen === undefined || i + 2 + plen > body.length)
          throw new RangeError();
        if (ptype !== OPT_PARAM_CAPABILITIES) {
          throw openError(
            OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER,
            `unsupported optional parameter ${ptype}`,
          );
        }
        let j = i + 2;
        const end = i + 2 + plen;
        while (j < end) {
          const code = body[j];
          const clen = body[j + 1];
          if (clen === undefined || j + 2 + clen > end) throw new RangeError();
          capabilities.push(
            decodeCapability(code, body.subarray(j + 2, j + 2 + clen)),
          );
          j += 2 + clen;
        }
        i = end;
      }
      const as4 = capabilities.find(
        c => c.code === CapabilityCode.FOUR_OCTET_AS,
      );
      const asn = as4 && 'asn' in as4 ? as4.asn : asn2;
      return {
        type: 'open' as const,
        version,
        asn,
        holdTime,
        routerId,
        capabilities,
      };
    },
    () => openError(0, 'malformed OPEN message'),
  );
}
