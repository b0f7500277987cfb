import { randomUUID } from 'node:crypto';
import {
  CreateRequestBody,
  ExposureRequest,
  GuardrailResult,
  canonicalAddress,
} from '@portico/plugin-exposure-common';
import type { PoolEntry } from './allocateAddress';

/** A request as first stored: pending, in the pool it resolved to. */
export function newRequest(
  actor: string,
  body: CreateRequestBody,
  entry: PoolEntry,
  verdict: GuardrailResult,
  at: string,
): ExposureRequest {
  return {
    id: randomUUID(),
    state: 'pending',
    requestedBy: actor,
    entityRef: body.entityRef,
    owner: body.owner,
    cluster: body.cluster,
    namespace: body.namespace,
    serviceName: body.serviceName,
    ports: body.ports,
    pool: entry.pool.name,
    segment: entry.segment.name,
    intent: entry.pool.intent,
    ...(body.address
      ? { requestedAddress: canonicalAddress(body.address) }
      : {}),
    exposureKind: body.exposureKind,
    justification: body.justification,
    ...(body.expiresAt
      ? { expiresAt: new Date(body.expiresAt).toISOString() }
      : {}),
    ...(body.replaces ? { replaces: body.replaces } : {}),
    reasons: verdict.reasons,
    createdAt: at,
    updatedAt: at,
  };
}
