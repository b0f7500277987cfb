import { ConflictError, InputError } from '@backstage/errors';
import type {
  CreateRequestBody,
  ExposureRequest,
} from '@portico/plugin-exposure-common';
import type { ExposureStoreTransaction } from '../database/ExposureStore';

/**
 * One open request (pending, approved or active) per Service: a second one is a
 * duplicate, unless it names the active one it changes in `replaces`.
 */
export interface OpenRequestCheck {
  /** The active request the new one changes, when it names one. */
  replaced?: ExposureRequest;
  /** The open request a new one would duplicate. */
  duplicateOf?: ExposureRequest;
}

function serviceOf(r: {
  cluster: string;
  namespace: string;
  serviceName: string;
}) {
  return `${r.cluster}/${r.namespace}/${r.serviceName}`;
}

/** The lock that keeps one open request per Service across replicas. */
export function serviceLockKey(r: {
  cluster: string;
  namespace: string;
  serviceName: string;
}): string {
  return `service:${serviceOf(r)}`;
}

/**
 * What a new request reads before it writes: its Service's open requests,
 * the owner's quota in the pool, and its Idempotency-Key.
 */
export function submitLockKeys(
  actor: string,
  body: CreateRequestBody,
  entry: { pool: { name: string } },
  idempotencyKey?: string,
): string[] {
  return [
    serviceLockKey(body),
    `quota:${entry.pool.name}/${body.owner}`,
    ...(idempotencyKey !== undefined
      ? [`idempotency:${actor}/${idempotencyKey}`]
      : []),
  ];
}

export function duplicateMessage(first: ExposureRequest): string {
  const what =
    first.state === 'active'
      ? `is exposed by request ${first.id}${
          first.address ? ` (${first.address})` : ''
        }; to change it, send "replaces": "${first.id}"`
      : `already has request ${first.id}, ${first.state}; wait for its decision`;
  return `Service ${serviceOf(first)} ${what}`;
}

export async function checkOpenRequests(
  tx: ExposureStoreTransaction,
  body: CreateRequestBody,
): Promise<OpenRequestCheck> {
  const open = await tx.listOpenRequestsForService(
    body.cluster,
    body.namespace,
    body.serviceName,
  );
  let replaced: ExposureRequest | undefined;
  if (body.replaces !== undefined) {
    replaced = open.find(r => r.id === body.replaces);
    const named = replaced ?? (await tx.getRequest(body.replaces));
    if (!named) {
      throw new InputError(`replaces: no request with id ${body.replaces}`);
    }
    if (serviceOf(named) !== serviceOf(body)) {
      throw new InputError(
        `replaces: request ${named.id} exposes ${serviceOf(
          named,
        )}, not ${serviceOf(body)}`,
      );
    }
    if (named.state !== 'active') {
      throw new ConflictError(
        `replaces: request ${named.id} is ${named.state}; only an active exposure can be changed`,
      );
    }
  }
  const duplicateOf = open.find(r => r.id !== body.replaces);
  return { replaced, duplicateOf };
}

/** Refuses a duplicate with 409 naming the first open request. */
export async function assertNoDuplicate(
  tx: ExposureStoreTransaction,
  body: CreateRequestBody,
): Promise<ExposureRequest | undefined> {
  const { replaced, duplicateOf } = await checkOpenRequests(tx, body);
  if (duplicateOf) throw new ConflictError(duplicateMessage(duplicateOf));
  return replaced;
}
