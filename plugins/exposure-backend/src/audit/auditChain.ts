import { createHash } from 'node:crypto';
import type { AuditVerification } from '@portico/plugin-exposure-common';

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit event as stored: `before` and `after` are JSON text. */
export interface StoredAuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: string;
  after: string;
  prevHash: string;
  hash: string;
}

/**
 * SHA-256 over every field of the event and the previous hash. The fields are
 * serialized as one JSON array, so no two different events share an input.
 */
export function hashAuditEvent(event: Omit<StoredAuditEvent, 'hash'>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        event.seq,
        event.at,
        event.actor,
        event.action,
        event.subjectType,
        event.subjectId,
        event.before,
        event.after,
        event.prevHash,
      ]),
    )
    .digest('hex');
}

/**
 * Checks events in sequence order against each other and against the stored
 * head of the chain: an edited row no longer matches its hash, a deleted row
 * leaves a gap or a link to a hash that is not the previous one, and a
 * deleted tail no longer reaches the head.
 */
export function verifyAuditChain(
  events: Iterable<StoredAuditEvent>,
  head: { seq: number; hash: string },
): AuditVerification {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (const event of events) {
    if (event.seq !== expectedSeq) {
      return {
        valid: false,
        checked,
        brokenAt: event.seq,
        reason: `event ${expectedSeq} is missing (found ${event.seq} next)`,
      };
    }
    if (event.prevHash !== prevHash) {
      return {
        valid: false,
        checked,
        brokenAt: event.seq,
        reason: `event ${event.seq} does not link to the event before it`,
      };
    }
    if (hashAuditEvent(event) !== event.hash) {
      return {
        valid: false,
        checked,
        brokenAt: event.seq,
        reason: `event ${event.seq} was changed after it was written`,
      };
    }
    prevHash = event.hash;
    expectedSeq++;
    checked++;
  }
  if (head.seq !== checked || head.hash !== prevHash) {
    return {
      valid: false,
      checked,
      brokenAt: checked + 1,
      reason: `the chain ends at event ${checked} but its head records event ${head.seq}`,
    };
  }
  return { valid: true, checked };
}
