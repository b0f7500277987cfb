import { Heartbeat } from './message';

export interface PeerTableOptions {
  /** A peer is gone once no beat arrived for this long (interval × missed beats). */
  timeoutMs: number;
  /** Beats whose `sentAt` is further than this from our clock are refused. */
  maxClockSkewMs: number;
  /** How long a MAC seen in a beat still counts as the cluster's own. */
  macMemoryMs: number;
}

interface PeerEntry {
  beat: Heartbeat;
  /** Monotonic ms of the last accepted beat. */
  lastSeen: number;
}

export type ObserveResult =
  | { accepted: true }
  | { accepted: false; reason: 'clock-skew' | 'replay' | 'old-incarnation' };

/**
 * Liveness of the other agents, from authenticated heartbeats. Pure: the caller
 * passes the clocks, so tests drive time by hand.
 */
export class PeerTable {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly macs = new Map<string, { node: string; lastSeen: number }>();

  constructor(private readonly options: PeerTableOptions) {}

  observe(
    beat: Heartbeat,
    monotonicNow: number,
    wallNow: number,
  ): ObserveResult {
    if (Math.abs(wallNow - beat.sentAt) > this.options.maxClockSkewMs) {
      return { accepted: false, reason: 'clock-skew' };
    }
    const known = this.peers.get(beat.node);
    if (known) {
      if (beat.incarnation < known.beat.incarnation) {
        return { accepted: false, reason: 'old-incarnation' };
      }
      if (
        beat.incarnation === known.beat.incarnation &&
        beat.sequence <= known.beat.sequence
      ) {
        return { accepted: false, reason: 'replay' };
      }
    }
    this.peers.set(beat.node, { beat, lastSeen: monotonicNow });
    for (const mac of beat.macs) {
      this.macs.set(mac, { node: beat.node, lastSeen: monotonicNow });
    }
    return { accepted: true };
  }

  private isAlive(entry: PeerEntry, now: number): boolean {
    return !entry.beat.leaving && now - entry.lastSeen < this.options.timeoutMs;
  }

  /** Peers that beat recently, are ready and are not leaving. */
  healthy(now: number): Set<string> {
    const out = new Set<string>();
    for (const [node, entry] of this.peers) {
      if (entry.beat.ready && this.isAlive(entry, now)) {
        out.add(node);
      }
    }
    return out;
  }

  /** When the next alive peer times out, if none beats before (monotonic ms). */
  nextExpiry(now: number): number | undefined {
    let next: number | undefined;
    for (const entry of this.peers.values()) {
      if (this.isAlive(entry, now)) {
        const at = entry.lastSeen + this.options.timeoutMs;
        next = next === undefined ? at : Math.min(next, at);
      }
    }
    return next;
  }

  /** The node whose beats listed `mac` lately, if any. */
  nodeOfMac(mac: string, now: number): string | undefined {
    const entry = this.macs.get(mac);
    if (!entry) {
      return undefined;
    }
    if (now - entry.lastSeen > this.options.macMemoryMs) {
      this.macs.delete(mac);
      return undefined;
    }
    return entry.node;
  }
}
