import type { Clock } from '../../kube/clock';
import { silentLogger } from '../../logging';
import { LeaderElector, LeaseClient, StoredLease } from './leaderElector';
import type { LeaseRecord } from './leaseDecision';

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise(r => setImmediate(r));
};

/** A clock the test moves by hand; sleepers wake when their time comes. */
class ManualClock implements Clock {
  t = 1_000_000;
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  now = () => this.t;
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      const onAbort = () => resolve();
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.sleepers.push({ at: this.t + ms, wake });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  async advance(ms: number, step = 100, check?: () => void) {
    for (let left = ms; left > 0; left -= step) {
      this.t += Math.min(step, left);
      const due = this.sleepers.filter(s => s.at <= this.t);
      this.sleepers = this.sleepers.filter(s => s.at > this.t);
      due.forEach(s => s.wake());
      await settle();
      check?.();
    }
  }
}

/** One Lease object with resourceVersion semantics, as the API server keeps it. */
class LeaseStore {
  lease: StoredLease | undefined;
  private version = 0;
  clientFor(broken: () => boolean = () => false): LeaseClient {
    const fail = () => {
      if (broken()) throw new Error('connection refused');
    };
    return {
      get: async () => {
        fail();
        return this.lease && structuredClone(this.lease);
      },
      create: async (record: LeaseRecord) => {
        fail();
        if (this.lease) return false;
        this.lease = { record, version: String(++this.version) };
        return true;
      },
      update: async (record: LeaseRecord, version: string) => {
        fail();
        if (this.lease?.version !== version) return false;
        this.lease = { record, version: String(++this.version) };
        return true;
      },
    };
  }
}

function candidate(
  name: string,
  store: LeaseStore,
  clock: ManualClock,
  broken?: () => boolean,
) {
  const events: string[] = [];
  const elector = new LeaderElector({
    identity: name,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    client: store.clientFor(broken),
    clock,
    logger: silentLogger,
    onStartedLeading: () => {
      events.push(`start@${clock.t}`);
    },
    onStoppedLeading: () => {
      events.push(`stop@${clock.t}`);
    },
  });
  const stop = new AbortController();
  const done = elector.run(stop.signal);
  return { elector, events, stop, done };
}

describe('LeaderElector', () => {
  it('elects exactly one leader, and the other takes over when it stops renewing', async () => {
    const clock = new ManualClock();
    const store = new LeaseStore();
    let aBroken = false;
    const a = candidate('a', store, clock, () => aBroken);
    await settle();
    const b = candidate('b', store, clock);
    const neverTwo = () =>
      expect(
        Number(a.elector.isLeader()) + Number(b.elector.isLeader()),
      ).toBeLessThan(2);

    await clock.advance(20_000, 100, neverTwo);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(store.lease?.record.holderIdentity).toBe('a');

    // a loses the API server: it steps down after the renew deadline, and b takes
    // over only once the Lease has gone unrenewed for its duration.
    aBroken = true;
    const cutAt = clock.t;
    await clock.advance(20_000, 100, neverTwo);
    expect(a.elector.isLeader()).toBe(false);
    expect(b.elector.isLeader()).toBe(true);
    expect(store.lease?.record.holderIdentity).toBe('b');
    expect(store.lease?.record.leaseTransitions).toBe(1);
    const aStop = Number(a.events[1].split('@')[1]);
    const bStart = Number(b.events[0].split('@')[1]);
    expect(aStop - cutAt).toBeLessThanOrEqual(12_000);
    expect(bStart - cutAt).toBeGreaterThanOrEqual(13_000);
    expect(bStart - cutAt).toBeLessThanOrEqual(19_000);

    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('releases the Lease on shutdown so the next candidate leads within a retry period', async () => {
    const clock = new ManualClock();
    const store = new LeaseStore();
    const a = candidate('a', store, clock);
    await settle();
    const b = candidate('b', store, clock);
    await clock.advance(6_000);
    expect(a.elector.isLeader()).toBe(true);

    a.stop.abort();
    await a.done;
    expect(a.events).toEqual([
      expect.stringMatching(/^start@/),
      expect.stringMatching(/^stop@/),
    ]);
    expect(store.lease?.record.holderIdentity).toBeUndefined();
    const releasedAt = clock.t;
    await clock.advance(2_100);
    expect(b.elector.isLeader()).toBe(true);
    expect(Number(b.events[0].split('@')[1]) - releasedAt).toBeLessThanOrEqual(
      2_100,
    );

    b.stop.abort();
    await b.done;
  });

  it('does not trust the holder clock: a Lease that keeps changing is never taken', async () => {
    const clock = new ManualClock();
    const store = new LeaseStore();
    // Another holder whose clock is far behind renews every 2 s.
    store.lease = {
      version: 'x0',
      record: {
        holderIdentity: 'elsewhere',
        leaseDurationSeconds: 15,
        renewTime: new Date(0),
        leaseTransitions: 3,
      },
    };
    const b = candidate('b', store, clock);
    for (let i = 1; i <= 15; i++) {
      await clock.advance(2_000);
      store.lease = {
        version: `x${i}`,
        record: { ...store.lease!.record, renewTime: new Date(i * 1000) },
      };
    }
    expect(b.elector.isLeader()).toBe(false);
    await clock.advance(18_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(store.lease?.record.leaseTransitions).toBe(4);
    b.stop.abort();
    await b.done;
  });
});
