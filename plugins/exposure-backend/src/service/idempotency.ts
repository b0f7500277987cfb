import { createHash } from 'node:crypto';
import { ConflictError } from '@backstage/errors';
import type { CreateRequestBody } from '@portico/plugin-exposure-common';
import type {
  ExposureStoreTransaction,
  IdempotencyEntry,
} from '../database/ExposureStore';

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

/**
 * The request an earlier call with this key created, to answer again; a 409
 * when the key was first used for another body.
 */
export async function findReplay(
  tx: ExposureStoreTransaction,
  actor: string,
  key: string | undefined,
  bodyHash: string,
): Promise<string | undefined> {
  if (key === undefined) return undefined;
  const seen = await tx.getIdempotencyKey(actor, key);
  if (!seen) return undefined;
  if (seen.bodyHash !== bodyHash) {
    throw new ConflictError(
      `Idempotency-Key "${key}" was first used for another request (${seen.requestId}); use a new key for a new request`,
    );
  }
  return seen.requestId;
}

/** Stores the key with the request it created, in the same transaction. */
export async function rememberKey(
  tx: ExposureStoreTransaction,
  entry: IdempotencyEntry,
): Promise<void> {
  if (!(await tx.tryInsertIdempotencyKey(entry))) {
    throw new ConflictError(
      `a request with Idempotency-Key "${entry.key}" is being created; retry`,
    );
  }
}
