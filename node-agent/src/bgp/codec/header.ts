import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from './constants';
import { BgpError } from './errors';

/** Smallest legal length per message type, RFC 4271 §6.1 and RFC 2918 §3. */
const MIN_LENGTH: Record<number, number> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

export interface Header {
  length: number;
  type: number;
}

/** Wraps a body in the 19-octet header (marker, length, type), RFC 4271 §4.1. */
export function frame(type: number, body: Buffer): Buffer {
  const length = HEADER_LENGTH + body.length;
  if (length > MAX_MESSAGE_LENGTH) {
    throw new RangeError(`BGP message of ${length} octets exceeds 4096`);
  }
  const out = Buffer.alloc(length, 0xff);
  out.writeUInt16BE(length, 16);
  out[18] = type;
  body.copy(out, HEADER_LENGTH);
  return out;
}

/** Validates a header as RFC 4271 §6.1 says; throws BgpError otherwise. */
export function decodeHeader(buf: Buffer): Header {
  for (let i = 0; i < 16; i++) {
    if (buf[i] !== 0xff) {
      throw new BgpError(
        ErrorCode.MESSAGE_HEADER,
        HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED,
        'marker is not all ones',
      );
    }
  }
  const length = buf.readUInt16BE(16);
  const type = buf[18];
  const lengthData = buf.subarray(16, 18);
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    throw new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_LENGTH,
      `bad message length ${length}`,
      Buffer.from(lengthData),
    );
  }
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    throw new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_TYPE,
      `bad message type ${type}`,
      Buffer.from([type]),
    );
  }
  if (length < min || (type === MessageType.KEEPALIVE && length !== min)) {
    throw new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_LENGTH,
      `bad length ${length} for message type ${type}`,
      Buffer.from(lengthData),
    );
  }
  return { length, type };
}

/**
 * Cuts a TCP byte stream into whole BGP messages. Feed it chunks; it returns
 * the complete messages (header included) and keeps the rest. A bad header
 * throws BgpError: the stream cannot be resynchronised after that.
 */
export class MessageSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending =
      this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER_LENGTH) {
      const { length } = decodeHeader(this.pending.subarray(offset));
      if (this.pending.length - offset < length) break;
      out.push(this.pending.subarray(offset, offset + length));
      offset += length;
    }
    this.pending = this.pending.subarray(offset);
    return out;
  }

  get buffered(): number {
    return this.pending.length;
  }
}
