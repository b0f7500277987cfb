import { MessageType } from './constants';
import { guardDecode, BgpError } from './errors';
import { frame } from './header';

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Buffer;
}

/** RFC 4271 §4.5. */
export function encodeNotification(
  msg: Omit<NotificationMessage, 'type' | 'data'> & { data?: Buffer },
): Buffer {
  const data = msg.data ?? Buffer.alloc(0);
  return frame(
    MessageType.NOTIFICATION,
    Buffer.concat([Buffer.from([msg.code, msg.subcode]), data]),
  );
}

export function decodeNotification(buf: Buffer): NotificationMessage {
  return guardDecode(
    () => ({
      type: 'notification' as const,
      code: buf.readUInt8(19),
      subcode: buf.readUInt8(20),
      data: Buffer.from(buf.subarray(21)),
    }),
    () => new BgpError(1, 2, 'NOTIFICATION too short'),
  );
}

/**
 * RFC 8203 §2: a Cease/Administrative Shutdown may carry a UTF-8 reason of at
 * most 255 octets, prefixed by its length.
 */
export function shutdownCommunication(reason: string): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > 255) text = text.subarray(0, 255);
  return Buffer.concat([Buffer.from([text.length]), text]);
}

export function notificationText(msg: {
  code: number;
  subcode: number;
  data: Buffer;
}): string {
  let text = `NOTIFICATION ${msg.code}/${msg.subcode}`;
  if (
    msg.code === 6 &&
    (msg.subcode === 2 || msg.subcode === 4) &&
    msg.data.length > 0
  ) {
    const n = msg.data[0];
    if (n + 1 <= msg.data.length) {
      text += `: ${msg.data.subarray(1, 1 + n).toString('utf8')}`;
    }
  }
  return text;
}
