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
  /** What the peer announces; undefined while it only sent version-1 beats. */
  owns: ReadonlySet<string> | undefined;
  /** Monotonic ms of the last accepted beat. */
  lastSeen: number;
}

export type ObserveResult =
  | { accepted: true; ownsChanged: boolean }
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
    // A version-1 beat sent beside version-2 ones (see message.ts) says nothing
    // about ownership: keep what the same incarnation last said.
    const sameIncarnation = known?.beat.incarnation === beat.incarnation;
    let owns: ReadonlySet<string> | undefined = beat.owns && new Set(beat.owns);
    if (!beat.owns && sameIncarnation) {
      owns = known?.owns;
    }
    const before = known && sameIncarnation ? known.owns : undefined;
    const ownsChanged =
      !known ||
      !sameIncarnation ||
      before?.size !== owns?.size ||
      [...(owns ?? [])].some(address => !before?.has(address));
    this.peers.set(beat.node, { beat, owns, lastSeen: monotonicNow });
    for (const mac of beat.macs) {
      this.macs.set(mac, { node: beat.node, lastSeen: monotonicNow });
    }
    return { accepted: true, ownsChanged };
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

  /**
   * What each healthy peer announces now, from its latest beat; undefined for a
   * peer that only sent version-1 beats (an agent from before ownership in beats).
   */
  claims(now: number): Map<string, ReadonlySet<string> | undefined> {
    const out = new Map<string, ReadonlySet<string> | undefined>();
    for (const [node, entry] of this.peers) {
      if (entry.beat.ready && this.isAlive(entry, now)) {
        out.set(node, entry.owns);
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
