/** Result of decoding bytes a peer controls: decoders never throw. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export function rejected(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
