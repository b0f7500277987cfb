import { ErrorCode, MessageType, RouteRefreshSubcode } from './constants';
import { BgpError } from './errors';
import { frame } from './header';

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  /** RFC 7313 §3: 0 normal request, 1 BoRR, 2 EoRR. */
  subtype: number;
  safi: number;
}

/** RFC 2918 §3. */
export function encodeRouteRefresh(
  msg: Omit<RouteRefreshMessage, 'type' | 'subtype'> & { subtype?: number },
): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(msg.afi);
  body[2] = msg.subtype ?? 0;
  body[3] = msg.safi;
  return frame(MessageType.ROUTE_REFRESH, body);
}

export function decodeRouteRefresh(buf: Buffer): RouteRefreshMessage {
  if (buf.length !== 23) {
    // RFC 7313 §5: Invalid Message Length, data is the whole message.
    throw new BgpError(
      ErrorCode.ROUTE_REFRESH,
      RouteRefreshSubcode.INVALID_MESSAGE_LENGTH,
      'ROUTE-REFRESH of wrong length',
      Buffer.from(buf),
    );
  }
  return {
    type: 'route-refresh',
    afi: buf.readUInt16BE(19),
    subtype: buf[21],
    safi: buf[22],
  };
}
