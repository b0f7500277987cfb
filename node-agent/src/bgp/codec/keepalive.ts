import { ErrorCode, HeaderSubcode, MessageType } from './constants';
import { BgpError } from './errors';
import { frame } from './header';

export interface KeepaliveMessage {
  type: 'keepalive';
}

const KEEPALIVE = frame(MessageType.KEEPALIVE, Buffer.alloc(0));

/** RFC 4271 §4.4: a KEEPALIVE is the header alone. */
export function encodeKeepalive(): Buffer {
  return Buffer.from(KEEPALIVE);
}

export function decodeKeepalive(buf: Buffer): KeepaliveMessage {
  if (buf.length !== 19) {
    throw new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_LENGTH,
      'KEEPALIVE with a body',
    );
  }
  return { type: 'keepalive' };
}
