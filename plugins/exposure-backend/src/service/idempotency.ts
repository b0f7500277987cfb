import { createHash } from 'node:crypto';
import type { CreateRequestBody } from '@portico/plugin-exposure-common';

/** How long a `POST /requests` Idempotency-Key is remembered. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

/**
 * The body as parsed (defaults filled, keys in schema order), hashed: a retry
 * of the same request matches, another request under the same key does not.
 * `expiresAt` is left out: clients compute it from a lifetime when they send,
 * so a retry carries a slightly later one.
 */
export function hashRequestBody(body: CreateRequestBody): string {
  const { dryRun: _dryRun, expiresAt: _expiresAt, ...rest } = body;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
