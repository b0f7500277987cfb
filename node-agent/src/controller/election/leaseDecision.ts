/**
 * The leader-election rules of client-go's `leaderelection` package, as a pure
 * function. A candidate never trusts another machine's clock: a Lease counts as
 * expired when it has not changed for `leaseDurationSeconds` of *local* time since
 * this candidate last saw it change (client-go's `observedTime`).
 */

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions?: number;
}

export type LeaseAction = 'renew' | 'takeover' | 'wait';

export function leaseAction(input: {
  record: LeaseRecord;
  identity: string;
  /** Local time when the record was last seen to change. */
  observedAtMs: number;
  nowMs: number;
}): LeaseAction {
  const { record, identity, observedAtMs, nowMs } = input;
  if (record.holderIdentity === identity) {
    return 'renew';
  }
  if (!record.holderIdentity) {
    // Released by its last holder.
    return 'takeover';
  }
  const durationMs = (record.leaseDurationSeconds ?? 0) * 1000;
  return observedAtMs + durationMs <= nowMs ? 'takeover' : 'wait';
}

/** The record to write for `action` (not for 'wait'). */
export function nextRecord(
  record: LeaseRecord | undefined,
  action: 'create' | 'renew' | 'takeover',
  identity: string,
  leaseDurationSeconds: number,
  now: Date,
): LeaseRecord {
  if (action === 'renew' && record) {
    return { ...record, leaseDurationSeconds, renewTime: now };
  }
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: now,
    renewTime: now,
    leaseTransitions:
      action === 'create' ? 0 : (record?.leaseTransitions ?? 0) + 1,
  };
}

/** What a leader writes when it stops, so a successor need not wait out the Lease. */
export function releasedRecord(record: LeaseRecord, now: Date): LeaseRecord {
  return {
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: record.leaseTransitions,
  };
}

/** Whether two reads of the Lease are the same record (for `observedAtMs`). */
export function sameRecord(
  a: LeaseRecord | undefined,
  b: LeaseRecord | undefined,
): boolean {
  const t = (d?: Date) => (d ? d.getTime() : undefined);
  return (
    a?.holderIdentity === b?.holderIdentity &&
    a?.leaseDurationSeconds === b?.leaseDurationSeconds &&
    t(a?.renewTime) === t(b?.renewTime) &&
    t(a?.acquireTime) === t(b?.acquireTime) &&
    a?.leaseTransitions === b?.leaseTransitions
  );
}
