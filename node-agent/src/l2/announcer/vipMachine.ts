import { setTimeout as sleep } from 'timers/promises';
import {
  arpProbe,
  gratuitousArp,
  neighborSolicitationProbe,
  unsolicitedNeighborAdvertisement,
} from '../codec/frame';
import { L2Settings } from '../config';
import { L2Metrics } from '../metrics';
import { L2Conflict } from '../status';
import { KernelAddresses } from '../wire/kernelAddresses';
import { L2Link } from '../wire/link';
import type { L2Logger } from './L2Announcer';

/** One VIP as this node sees it: probe state, ownership, what it sends. */
export interface VipRecord {
  address: string;
  family: 4 | 6;
  nodes: string[];
  nodeScores?: Record<string, number>;
  interfaces: string[];
  state: 'probing' | 'clear' | 'conflict';
  /** A probe is on the wire now: claims by others are conflicts. */
  probing: boolean;
  /**
   * Claims seen during the current probe. Judged when the probe ends, not at once:
   * at startup every agent probes every VIP while the heartbeats that tell us the
   * other agents' MACs may still be in flight.
   */
  suspects: Array<{ link: L2Link; mac: string; how: string }>;
  announcing: boolean;
  owner: string | undefined;
  conflict?: L2Conflict;
  /** Aborts this VIP's probe/recheck/announce timers when it is removed. */
  lifetime: AbortController;
  /** When a re-assertion against another agent's claim was last scheduled (ms). */
  reassertedAt: number;
  /** Aborts the periodic refresh (`announce.refreshMs`) when the VIP is released. */
  refresh?: AbortController;
  /** Aborts the current gratuitous burst when the VIP is released. */
  burst?: AbortController;
  /** The first probe round, started once this node has listened for a detection window. */
  firstProbe: Promise<void> | undefined;
}

/** What the per-VIP state machine needs from the announcer around it. */
export interface VipContext {
  settings: L2Settings;
  metrics: L2Metrics;
  logger: L2Logger;
  kernel: KernelAddresses | undefined;
  /** Aborted when the announcer stops. */
  lifetime: AbortController;
  linksOf(record: VipRecord): L2Link[];
  send(link: L2Link, frame: Buffer): void;
  isPeerMac(mac: string): boolean;
  /** Elect again: a probe ended, a conflict started or cleared. */
  reconcile(): void;
  /** A conflict was found (history, event). */
  conflicted(conflict: L2Conflict): void;
}

/**
 * The per-VIP state machine: probe before the first claim (RFC 5227), claim and
 * release, gratuitous bursts, re-assertion against another agent's claim, and
 * conflicts with their re-checks. Which node owns a VIP is decided around it
 * (L2Announcer's election); this only carries out claim and release.
 */
export class VipMachine {
  constructor(private readonly ctx: VipContext) {}

  // ---- claiming and releasing ----

  async claim(record: VipRecord): Promise<void> {
    record.announcing = true;
    this.ctx.metrics.announcing.set({ address: record.address }, 1);
    this.ctx.metrics.takeovers.inc({ address: record.address });
    this.ctx.logger.info('announcing', {
      address: record.address,
      interfaces: record.interfaces,
    });
    try {
      await this.ctx.kernel?.add(record.address);
    } catch (error) {
      this.ctx.logger.warn('could not add the address locally', {
        address: record.address,
        error: String(error),
      });
    }
    if (record.announcing) {
      void this.refreshWhileAnnouncing(record);
      await this.announceBurst(record);
    }
  }

  /**
   * With `announce.refreshMs`, repeats one gratuitous ARP / unsolicited NA that
   * often while announcing, for switches whose forwarding tables age out entries
   * of hosts that only answer (metallb#2910).
   */
  private async refreshWhileAnnouncing(record: VipRecord): Promise<void> {
    const { refreshMs } = this.ctx.settings.announce;
    if (refreshMs === undefined) {
      return;
    }
    record.refresh?.abort();
    const refresh = new AbortController();
    record.refresh = refresh;
    const signal = AbortSignal.any([
      refresh.signal,
      record.lifetime.signal,
      this.ctx.lifetime.signal,
    ]);
    try {
      while (record.announcing && !signal.aborted) {
        await sleep(refreshMs, undefined, { signal });
        if (record.announcing) {
          this.sendGratuitous(record);
        }
      }
    } catch {
      // Aborted: released, removed or stopping.
    }
  }

  private sendGratuitous(record: VipRecord): void {
    for (const link of this.ctx.linksOf(record)) {
      const frames =
        record.family === 4
          ? gratuitousArp(link.mac, record.address)
          : [unsolicitedNeighborAdvertisement(link.mac, record.address)];
      frames.forEach(frame => this.ctx.send(link, frame));
    }
  }

  release(record: VipRecord): void {
    if (!record.announcing) {
      return;
    }
    record.announcing = false;
    record.burst?.abort();
    record.refresh?.abort();
    this.ctx.metrics.announcing.set({ address: record.address }, 0);
    this.ctx.logger.info('released', { address: record.address });
    this.ctx.kernel?.remove(record.address).catch(error =>
      this.ctx.logger.warn('could not remove the address locally', {
        address: record.address,
        error: String(error),
      }),
    );
  }

  /** Gratuitous ARP / unsolicited NA, `announce.count` times (RFC 5227 §2.3, RFC 4861 §7.2.6). */
  async announceBurst(record: VipRecord): Promise<void> {
    record.burst?.abort();
    const burst = new AbortController();
    record.burst = burst;
    const signal = AbortSignal.any([
      burst.signal,
      record.lifetime.signal,
      this.ctx.lifetime.signal,
    ]);
    const { count, intervalMs } = this.ctx.settings.announce;
    try {
      for (let i = 0; i < count && record.announcing && !signal.aborted; i++) {
        if (i > 0) {
          await sleep(intervalMs, undefined, { signal });
        }
        this.sendGratuitous(record);
      }
    } catch {
      // Aborted: released, removed or stopping.
    }
  }

  /**
   * Another agent announced an address we own: it believes the owner is gone (a
   * missed beat under load, or the far side of a partition). It releases as soon as
   * it hears us again, but the caches it pointed at itself stay there unless we
   * announce again, so we do, one heartbeat interval later (time for our beat to
   * reach it), at most once per announcement burst length so two agents with
   * different views cannot flood the segment while their views converge.
   */
  async reassert(record: VipRecord, mac: string): Promise<void> {
    const { count, intervalMs } = this.ctx.settings.announce;
    const now = Date.now();
    if (now - record.reassertedAt < count * intervalMs) {
      return;
    }
    record.reassertedAt = now;
    try {
      await sleep(this.ctx.settings.heartbeat.intervalMs, undefined, {
        signal: AbortSignal.any([
          record.lifetime.signal,
          this.ctx.lifetime.signal,
        ]),
      });
    } catch {
      return;
    }
    if (record.announcing) {
      this.ctx.logger.info(
        'another agent claimed an address this node owns; announcing again',
        {
          address: record.address,
          mac,
        },
      );
      await this.announceBurst(record);
    }
  }

  // ---- probing and conflicts ----

  /** Probes until nobody foreign answers; re-checks every `probe.recheckMs` after a conflict. */
  async probeUntilClear(record: VipRecord): Promise<void> {
    const signal = AbortSignal.any([
      record.lifetime.signal,
      this.ctx.lifetime.signal,
    ]);
    try {
      await this.probeOnce(record, signal);
    } catch {
      return;
    }
    if (record.state === 'conflict') {
      void this.recheckLater(record, signal);
    }
  }

  async recheckLater(record: VipRecord, signal: AbortSignal): Promise<void> {
    try {
      while (record.state === 'conflict') {
        await sleep(this.ctx.settings.probe.recheckMs, undefined, { signal });
        // The state stays `conflict` (and is not reported again) until a probe
        // round passes with no foreign answer.
        if (await this.probeOnce(record, signal)) {
          this.ctx.metrics.conflict.set({ address: record.address }, 0);
          this.ctx.logger.info('conflict cleared', { address: record.address });
          this.ctx.reconcile();
        }
      }
    } catch {
      // Aborted.
    }
  }

  /** One probe round; true when nobody foreign answered and the VIP is clear. */
  async probeOnce(record: VipRecord, signal: AbortSignal): Promise<boolean> {
    const { count, intervalMs, waitMs } = this.ctx.settings.probe;
    record.probing = true;
    record.suspects = [];
    try {
      for (let i = 0; i < count; i++) {
        if (i > 0) {
          await sleep(intervalMs, undefined, { signal });
        }
        for (const link of this.ctx.linksOf(record)) {
          this.ctx.send(
            link,
            record.family === 4
              ? arpProbe(link.mac, record.address)
              : neighborSolicitationProbe(link.mac, record.address),
          );
        }
      }
      await sleep(waitMs, undefined, { signal });
    } finally {
      record.probing = false;
    }
    const foreign = record.suspects.find(s => !this.ctx.isPeerMac(s.mac));
    record.suspects = [];
    if (foreign) {
      this.onConflict(record, foreign.link, foreign);
      return false;
    }
    record.state = 'clear';
    record.conflict = undefined;
    this.ctx.reconcile();
    return true;
  }

  onConflict(
    record: VipRecord,
    link: L2Link,
    claim: { mac: string; how: string },
  ): void {
    if (record.state === 'conflict') {
      return;
    }
    const conflict: L2Conflict = {
      address: record.address,
      interface: link.interfaceName,
      mac: claim.mac,
      how: claim.how,
      phase: record.announcing ? 'announce' : 'probe',
      at: new Date().toISOString(),
    };
    const wasAnnouncing = record.announcing;
    record.state = 'conflict';
    record.conflict = conflict;
    this.release(record);
    this.ctx.metrics.conflict.set({ address: record.address }, 1);
    this.ctx.metrics.conflicts.inc({
      address: record.address,
      interface: link.interfaceName,
      phase: conflict.phase,
    });
    this.ctx.logger.warn(
      'address conflict: another device holds the address, not announcing it',
      {
        ...conflict,
      },
    );
    this.ctx.conflicted(conflict);
    if (wasAnnouncing) {
      void this.recheckLater(
        record,
        AbortSignal.any([record.lifetime.signal, this.ctx.lifetime.signal]),
      );
    }
    this.ctx.reconcile();
  }
}
