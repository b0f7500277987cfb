import { describe, expect, it } from '@jest/globals';
import {
  GENESIS_HASH,
  StoredAuditEvent,
  hashAuditEvent,
  verifyAuditChain,
} from './auditChain';

function chain(n: number): StoredAuditEvent[] {
  const events: StoredAuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      seq,
      at: `2026-11-25T12:00:0${seq}.000Z`,
      actor: 'user:default/alice',
      action: 'request.created',
      subjectType: 'request',
      subjectId: `r${seq}`,
      before: 'null',
      after: JSON.stringify({ state: 'pending' }),
      prevHash,
    };
    const hash = hashAuditEvent(e);
    events.push({ ...e, hash });
    prevHash = hash;
  }
  return events;
}

const headOf = (events: StoredAuditEvent[]) => ({
  seq: events.length,
  hash: events[events.length - 1].hash,
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain and an empty one', () => {
    const events = chain(4);
    expect(verifyAuditChain(events, headOf(events))).toEqual({
      valid: true,
      checked: 4,
    });
    expect(verifyAuditChain([], { seq: 0, hash: GENESIS_HASH })).toEqual({
      valid: true,
      checked: 0,
    });
  });

  it('catches an edited row', () => {
    const events = chain(4);
    const head = headOf(events);
    events[1] = { ...events[1], actor: 'user:default/mallory' };
    expect(verifyAuditChain(events, head)).toEqual({
      valid: false,
      checked: 1,
      brokenAt: 2,
      reason: 'event 2 was changed after it was written',
    });
  });

  it('catches a deleted row even when later rows are renumbered', () => {
    const events = chain(4);
    const head = headOf(events);
    expect(
      verifyAuditChain([events[0], events[2], events[3]], head),
    ).toMatchObject({
      valid: false,
      brokenAt: 3,
    });
    const renumbered = [
      events[0],
      { ...events[2], seq: 2 },
      { ...events[3], seq: 3 },
    ];
    expect(verifyAuditChain(renumbered, head)).toMatchObject({
      valid: false,
      brokenAt: 2,
      reason: 'event 2 does not link to the event before it',
    });
  });

  it('catches a deleted tail', () => {
    const events = chain(4);
    expect(verifyAuditChain(events.slice(0, 3), headOf(events))).toMatchObject({
      valid: false,
      reason: 'the chain ends at event 3 but its head records event 4',
    });
  });
});
