import { ErrorCode } from './constants';

/**
 * An error the peer caused, carrying the NOTIFICATION code and subcode the RFC
 * assigns to it (RFC 4271 §6) and the data field to send back.
 */
export class BgpError extends Error {
  constructor(
    readonly code: number,
    readonly subcode: number,
    message: string,
    readonly data: Buffer = Buffer.alloc(0),
  ) {
    super(message);
    this.name = 'BgpError';
  }
}

export function updateError(
  subcode: number,
  message: string,
  data?: Buffer,
): BgpError {
  return new BgpError(ErrorCode.UPDATE_MESSAGE, subcode, message, data);
}

/**
 * Runs a decoder over peer-controlled bytes: a BgpError passes through, a read
 * past the end of a Buffer (RangeError) becomes the given BgpError, so nothing
 * else ever escapes a decoder.
 */
export function guardDecode<T>(fn: () => T, onOverrun: () => BgpError): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BgpError) throw e;
    throw onOverrun();
  }
}
