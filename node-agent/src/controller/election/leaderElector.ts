import type { Clock } from '../../kube/clock';
import type { Logger } from '../../logging';
import {
  LeaseRecord,
  leaseAction,
  nextRecord,
  releasedRecord,
  sameRecord,
} from './leaseDecision';

export interface StoredLease {
  record: LeaseRecord;
  /** metadata.resourceVersion, for optimistic concurrency. */
  version: string;
}

/** The Lease object as the elector needs it; 409s come back as `false`. */
export interface LeaseClient {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<boolean>;
  update(record: LeaseRecord, version: string): Promise<boolean>;
}

export interface LeaderElectorOptions {
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  client: LeaseClient;
  clock: Clock;
  logger: Logger;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called when leadership ends; the Lease is released only after it settles. */
  onStoppedLeading(): void | Promise<void>;
}

type Attempt = 'leading' | 'held-by-other' | 'failed';

/**
 * Lease-based leader election (client-go `leaderelection` semantics): try to
 * acquire or renew every retry period; a leader that has not renewed within the
 * renew deadline, or finds the Lease taken, steps down; on shutdown the leader
 * releases the Lease so the next candidate takes over within one retry period.
 */
export class LeaderElector {
  private observed: LeaseRecord | undefined;
  private observedAtMs = 0;
  private leading: AbortController | undefined;
  private lastRenewMs = 0;

  constructor(private readonly options: LeaderElectorOptions) {}

  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** Runs until `signal` aborts, then releases the Lease if held. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, retryPeriodMs, renewDeadlineMs, logger } = this.options;
    while (!signal.aborted) {
      const attempt = await this.tryAcquireOrRenew();
      const now = clock.now();
      if (attempt === 'leading') {
        this.lastRenewMs = now;
        if (!this.leading) this.startLeading();
      } else if (this.leading) {
        if (attempt === 'held-by-other') {
          logger.warn(
            'leader Lease taken by another candidate, stepping down',
            {
              holder: this.observed?.holderIdentity,
            },
          );
          await this.stopLeading();
        } else if (now - this.lastRenewMs >= renewDeadlineMs) {
          logger.warn(
            'leader Lease not renewed within the renew deadline, stepping down',
            {
              renewDeadlineMs,
            },
          );
          await this.stopLeading();
        }
      }
      await clock.sleep(retryPeriodMs, signal);
    }
    if (this.leading) {
      await this.stopLeading();
      await this.release();
    }
  }

  private startLeading() {
    this.leading = new AbortController();
    this.options.logger.info('became leader', {
      identity: this.options.identity,
    });
    this.options.onStartedLeading(this.leading.signal);
  }

  private async stopLeading() {
    const leading = this.leading;
    this.leading = undefined;
    leading?.abort();
    try {
      await this.options.onStoppedLeading();
    } catch (error) {
      this.options.logger.error('onStoppedLeading failed', {
        error: String(error),
      });
    }
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const { client, clock, identity, leaseDurationMs, logger } = this.options;
    const durationSeconds = Math.ceil(leaseDurationMs / 1000);
    try {
      const stored = await client.get();
      const now = clock.now();
      if (!stored) {
        const record = nextRecord(
          undefined,
          'create',
          identity,
          durationSeconds,
          new Date(now),
        );
        return (await client.create(record))
          ? this.wrote(record, now)
          : 'failed';
      }
      if (!sameRecord(stored.record, this.observed)) {
        this.observed = stored.record;
        this.observedAtMs = now;
      }
      const action = leaseAction({
        record: stored.record,
        identity,
        observedAtMs: this.observedAtMs,
        nowMs: now,
      });
      if (action === 'wait') {
        return 'held-by-other';
      }
      const record = nextRecord(
        stored.record,
        action,
        identity,
        durationSeconds,
        new Date(now),
      );
      return (await client.update(record, stored.version))
        ? this.wrote(record, now)
        : 'failed';
    } catch (error) {
      logger.warn('leader Lease request failed', { error: String(error) });
      return 'failed';
    }
  }

  private wrote(record: LeaseRecord, now: number): Attempt {
    this.observed = record;
    this.observedAtMs = now;
    return 'leading';
  }

  private async release() {
    const { client, clock, logger } = this.options;
    try {
      const stored = await client.get();
      if (stored?.record.holderIdentity !== this.options.identity) return;
      await client.update(
        releasedRecord(stored.record, new Date(clock.now())),
        stored.version,
      );
      logger.info('released the leader Lease');
    } catch (error) {
      logger.warn('could not release the leader Lease', {
        error: String(error),
      });
    }
  }
}
