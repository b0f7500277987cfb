import { CodecContext } from './attributes';
import { MessageType } from './constants';
import { BgpError } from './errors';
import { decodeHeader } from './header';
import { decodeKeepalive, KeepaliveMessage } from './keepalive';
import { decodeNotification, NotificationMessage } from './notification';
import { decodeOpen, OpenMessage } from './open';
import { decodeRouteRefresh, RouteRefreshMessage } from './routeRefresh';
import { decodeUpdate, UpdateMessage } from './update';

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

export type DecodeResult =
  | { ok: true; message: BgpMessage }
  | { ok: false; error: BgpError };

/**
 * Decodes one whole message (header included). Never throws: any problem with
 * the bytes comes back as the BgpError to send in a NOTIFICATION.
 */
export function decodeMessage(buf: Buffer, ctx: CodecContext): DecodeResult {
  try {
    const { type, length } = decodeHeader(buf);
    if (length !== buf.length) {
      return {
        ok: false,
        error: new BgpError(
          1,
          2,
          `header says ${length} octets, got ${buf.length}`,
        ),
      };
    }
    switch (type) {
      case MessageType.OPEN:
        return { ok: true, message: decodeOpen(buf) };
      case MessageType.UPDATE:
        return { ok: true, message: decodeUpdate(buf, ctx) };
      case MessageType.NOTIFICATION:
        return { ok: true, message: decodeNotification(buf) };
      case MessageType.KEEPALIVE:
        return { ok: true, message: decodeKeepalive(buf) };
      default:
        return { ok: true, message: decodeRouteRefresh(buf) };
    }
  } catch (e) {
    if (e instanceof BgpError) return { ok: false, error: e };
    return {
      ok: false,
      error: new BgpError(1, 0, `undecodable message: ${e}`),
    };
  }
}
