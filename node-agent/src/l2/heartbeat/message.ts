import { createHmac, timingSafeEqual } from 'crypto';
import { z } from 'zod';
import { Decoded, rejected } from '../codec/decoded';

/**
 * One heartbeat datagram: `PL2B`, version 1, HMAC-SHA256 of everything else, then a
 * JSON body. The key comes from a Kubernetes Secret shared by the agents of one
 * segment, so a host on the segment without it cannot fake or alter a beat; replays
 * are refused by the peer table (incarnation and sequence must grow).
 */
const MAGIC = Buffer.from('PL2B');
const VERSION = 1;
const HMAC_LENGTH = 32;
const HEADER_LENGTH = MAGIC.length + 1 + HMAC_LENGTH;
export const MAX_HEARTBEAT_BYTES = 1400;
export const MIN_KEY_BYTES = 16;

const beatSchema = z
  .object({
    node: z.string().min(1).max(253),
    /** Start time of the sending agent (ms since epoch): a restart gets a larger one. */
    incarnation: z.number().int().nonnegative(),
    sequence: z.number().int().nonnegative(),
    /** Sender's wall clock (ms since epoch), checked against a skew bound. */
    sentAt: z.number().int().nonnegative(),
    /** The sender may own addresses (settled, link up, initial probes done). */
    ready: z.boolean(),
    /** The sender is shutting down and releases everything now. */
    leaving: z.boolean(),
    /** MACs of the sender's announcing interfaces: their frames are not conflicts. */
    macs: z.array(z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)).max(64),
  })
  .strict();

export type Heartbeat = z.infer<typeof beatSchema>;

function sign(key: Buffer, signed: Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of signed) {
    hmac.update(part);
  }
  return hmac.digest();
}

export function encodeHeartbeat(beat: Heartbeat, key: Buffer): Buffer {
  const body = Buffer.from(JSON.stringify(beatSchema.parse(beat)));
  const version = Buffer.from([VERSION]);
  const mac = sign(key, [MAGIC, version, body]);
  return Buffer.concat([MAGIC, version, mac, body]);
}

export function decodeHeartbeat(
  datagram: Buffer,
  key: Buffer,
): Decoded<Heartbeat> {
  if (
    datagram.length < HEADER_LENGTH ||
    datagram.length > MAX_HEARTBEAT_BYTES
  ) {
    return rejected('datagram size out of range');
  }
  if (!datagram.subarray(0, MAGIC.length).equals(MAGIC)) {
    return rejected('not a heartbeat');
  }
  if (datagram[MAGIC.length] !== VERSION) {
    return rejected(`unsupported heartbeat version ${datagram[MAGIC.length]}`);
  }
  const mac = datagram.subarray(MAGIC.length + 1, HEADER_LENGTH);
  const body = datagram.subarray(HEADER_LENGTH);
  const expected = sign(key, [MAGIC, Buffer.from([VERSION]), body]);
  if (!timingSafeEqual(mac, expected)) {
    return rejected('bad signature');
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return rejected('body is not json');
  }
  const parsed = beatSchema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : rejected(`invalid heartbeat body: ${parsed.error.issues[0]?.message}`);
}
