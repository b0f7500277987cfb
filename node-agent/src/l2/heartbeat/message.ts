import { createHmac, timingSafeEqual } from 'crypto';
import { z } from 'zod';
import { Decoded, rejected } from '../codec/decoded';

/**
 * One heartbeat datagram: `PL2B`, a version byte, HMAC-SHA256 of everything else,
 * then a JSON body. The key comes from a Kubernetes Secret shared by the agents of
 * one segment, so a host on the segment without it cannot fake or alter a beat;
 * replays are refused by the peer table (incarnation and sequence must grow).
 *
 * Version 1 is the original body; version 2 adds `owns`, the addresses the sender
 * announces now (non-revertive ownership, see election/ownership.ts). An agent of
 * the version-1 release refuses unknown versions and unknown fields, so during a
 * rolling upgrade the sender keeps sending version 1 beside version 2 to every peer
 * it has not yet heard a version-2 beat from (heartbeatService.ts).
 */
const MAGIC = Buffer.from('PL2B');
export const HEARTBEAT_VERSIONS = [1, 2] as const;
export type HeartbeatVersion = (typeof HEARTBEAT_VERSIONS)[number];
const HMAC_LENGTH = 32;
const HEADER_LENGTH = MAGIC.length + 1 + HMAC_LENGTH;
const MAX_V1_BYTES = 1400;
/** Version 2 lists owned addresses: room for thousands, one UDP datagram. */
export const MAX_HEARTBEAT_BYTES = 65000;
export const MIN_KEY_BYTES = 16;

const v1Schema = z
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

const v2Schema = v1Schema
  .extend({
    /** Addresses the sender announces now. */
    owns: z.array(z.string().min(1).max(64)).max(4096),
  })
  .strict();

/** A beat; `owns` is absent in version-1 beats (the sender's claims are unknown). */
export type Heartbeat = z.infer<typeof v1Schema> & { owns?: string[] };

function sign(key: Buffer, signed: Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of signed) {
    hmac.update(part);
  }
  return hmac.digest();
}

/** Version 2 when the beat has `owns`; version 1 (without it) on request or otherwise. */
export function encodeHeartbeat(
  beat: Heartbeat,
  key: Buffer,
  version: HeartbeatVersion = beat.owns ? 2 : 1,
): Buffer {
  const { owns, ...v1 } = beat;
  const body = Buffer.from(
    JSON.stringify(
      version === 2
        ? v2Schema.parse({ ...v1, owns: owns ?? [] })
        : v1Schema.parse(v1),
    ),
  );
  return sealed(body, key, version);
}

function sealed(body: Buffer, key: Buffer, versionNumber: number): Buffer {
  const version = Buffer.from([versionNumber]);
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
  const version = datagram[MAGIC.length];
  if (version !== 1 && version !== 2) {
    return rejected(`unsupported heartbeat version ${version}`);
  }
  if (version === 1 && datagram.length > MAX_V1_BYTES) {
    return rejected('datagram size out of range');
  }
  const mac = datagram.subarray(MAGIC.length + 1, HEADER_LENGTH);
  const body = datagram.subarray(HEADER_LENGTH);
  const expected = sign(key, [MAGIC, Buffer.from([version]), body]);
  if (!timingSafeEqual(mac, expected)) {
    return rejected('bad signature');
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return rejected('body is not json');
  }
  const parsed = (version === 2 ? v2Schema : v1Schema).safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : rejected(`invalid heartbeat body: ${parsed.error.issues[0]?.message}`);
}
