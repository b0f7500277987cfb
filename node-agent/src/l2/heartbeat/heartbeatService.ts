import { createSocket, Socket } from 'dgram';
import { EventEmitter } from 'events';
import { isIPv6 } from 'net';
import { performance } from 'perf_hooks';
import { decodeHeartbeat, encodeHeartbeat, Heartbeat } from './message';
import { PeerTable } from './peerTable';

export interface HeartbeatSettings {
  port: number;
  key: Buffer;
  intervalMs: number;
  missedBeats: number;
  /** Unicast addresses of the other agents (`host` or `host:port` / `[v6]:port`). */
  peers: string[];
  maxClockSkewMs: number;
}

export interface LocalState {
  ready: boolean;
  macs: string[];
  /** Addresses this node announces now. */
  owns: string[];
}

export type HeartbeatEvent = 'accepted' | 'bad-datagram' | 'refused';

interface Destination {
  host: string;
  port: number;
  /** A version-2 beat came from this address: version 1 is no longer needed. */
  speaksV2?: boolean;
}

export function parsePeer(peer: string, defaultPort: number): Destination {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(peer);
  if (bracketed) {
    return { host: bracketed[1], port: Number(bracketed[2] ?? defaultPort) };
  }
  if (isIPv6(peer)) {
    return { host: peer, port: defaultPort };
  }
  const [host, port] = peer.split(':');
  return { host, port: Number(port ?? defaultPort) };
}

/**
 * Sends this node's beat to every peer each interval and tracks theirs. Emits
 * `membership` whenever the set of healthy peers changes, as soon as a beat arrives
 * or a peer's deadline passes (a timer armed for the earliest deadline, so a dead
 * peer is noticed at interval × missed beats, not at the next poll).
 */
export class HeartbeatService extends EventEmitter {
  private readonly table: PeerTable;
  private readonly destinations: Destination[];
  private readonly incarnation = Date.now();
  private sequence = 0;
  private sockets: Socket[] = [];
  private expiryTimer: NodeJS.Timeout | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private lastHealthy = '';
  private stopped = false;

  constructor(
    private readonly nodeName: string,
    private readonly settings: HeartbeatSettings,
    private readonly localState: () => LocalState,
    private readonly signal: AbortSignal,
  ) {
    super();
    this.table = new PeerTable({
      timeoutMs: settings.intervalMs * settings.missedBeats,
      maxClockSkewMs: settings.maxClockSkewMs,
      macMemoryMs: 10 * 60_000,
    });
    this.destinations = settings.peers.map(peer =>
      parsePeer(peer, settings.port),
    );
  }

  async start(): Promise<void> {
    const families = new Set(
      this.destinations.map(d => (isIPv6(d.host) ? 6 : 4)),
    );
    if (families.size === 0) {
      families.add(4);
    }
    for (const family of families) {
      // No SO_REUSEADDR: a second agent on the same port must fail, not share beats.
      const socket = createSocket({
        type: family === 6 ? 'udp6' : 'udp4',
        ipv6Only: family === 6,
      });
      socket.on('message', (message, from) =>
        this.receive(message, from.address),
      );
      socket.on('error', () => {
        // Send errors (e.g. network down) are expected while the link is down.
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(this.settings.port, family === 6 ? '::' : '0.0.0.0', () => {
          socket.off('error', reject);
          resolve();
        });
      });
      this.sockets.push(socket);
    }
    this.signal.addEventListener('abort', () => void this.stop(), {
      once: true,
    });
    const tick = () => {
      void this.beat(false);
      this.beatTimer = setTimeout(tick, this.settings.intervalMs);
    };
    tick();
  }

  healthyPeers(): Set<string> {
    return this.table.healthy(performance.now());
  }

  isPeerMac(mac: string): boolean {
    return this.table.nodeOfMac(mac, performance.now()) !== undefined;
  }

  /** Sends one beat now, e.g. to tell peers at once that we became ready or leave. */
  beat(leaving: boolean): Promise<void> {
    if (this.sockets.length === 0) {
      return Promise.resolve();
    }
    const state = this.localState();
    const beat = (): Heartbeat => ({
      node: this.nodeName,
      incarnation: this.incarnation,
      sequence: ++this.sequence,
      sentAt: Date.now(),
      ready: state.ready && !leaving,
      leaving,
      macs: state.macs,
      owns: leaving ? [] : state.owns,
    });
    // Version 1 first, version 2 with the higher sequence: a new peer keeps the
    // version-2 beat as the latest, an old one refuses version 2 and keeps version 1.
    const v1 = encodeHeartbeat(beat(), this.settings.key, 1);
    const v2 = encodeHeartbeat(beat(), this.settings.key, 2);
    const sends = this.destinations.flatMap(destination =>
      (destination.speaksV2 ? [v2] : [v1, v2]).map(datagram => ({
        destination,
        datagram,
      })),
    );
    return Promise.all(
      sends.map(({ destination, datagram }) =>
        this.send(destination, datagram),
      ),
    ).then(() => undefined);
  }

  private send(destination: Destination, datagram: Buffer): Promise<void> {
    const socket = this.sockets.find(
      s => (s.address().family === 'IPv6') === isIPv6(destination.host),
    );
    return new Promise<void>(resolve => {
      if (!socket) {
        resolve();
        return;
      }
      // A send error (network down) must not stop the beat loop.
      socket.send(datagram, destination.port, destination.host, () =>
        resolve(),
      );
    });
  }

  /** What each healthy peer announces (undefined: a peer sending version 1 only). */
  peerClaims(): Map<string, ReadonlySet<string> | undefined> {
    return this.table.claims(performance.now());
  }

  private receive(datagram: Buffer, fromAddress: string): void {
    const decoded = decodeHeartbeat(datagram, this.settings.key);
    if (!decoded.ok) {
      this.emit('beat', 'bad-datagram' satisfies HeartbeatEvent);
      return;
    }
    if (decoded.value.node === this.nodeName) {
      return;
    }
    const result = this.table.observe(
      decoded.value,
      performance.now(),
      Date.now(),
    );
    this.emit(
      'beat',
      (result.accepted ? 'accepted' : 'refused') satisfies HeartbeatEvent,
    );
    // A peer that sends version 1 only (an older release, or a rollback) gets
    // version 1 again until it sends version 2.
    for (const destination of this.destinations) {
      if (destination.host === fromAddress) {
        destination.speaksV2 = decoded.value.owns !== undefined;
      }
    }
    if (result.accepted) {
      this.checkMembership();
      if (result.ownsChanged) {
        this.emit('claims');
      }
    }
  }

  private checkMembership(): void {
    if (this.signal.aborted) {
      return;
    }
    const now = performance.now();
    const healthy = [...this.table.healthy(now)].sort();
    const key = healthy.join(',');
    if (key !== this.lastHealthy) {
      this.lastHealthy = key;
      this.emit('membership', new Set(healthy));
    }
    clearTimeout(this.expiryTimer);
    const next = this.table.nextExpiry(now);
    if (next !== undefined) {
      this.expiryTimer = setTimeout(
        () => this.checkMembership(),
        Math.max(0, next - now) + 1,
      );
    }
  }

  /** Tells peers we leave (so they take over at once) and closes the sockets. */
  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    clearTimeout(this.beatTimer);
    clearTimeout(this.expiryTimer);
    const sockets = this.sockets;
    await Promise.race([
      this.beat(true),
      new Promise(resolve => setTimeout(resolve, 200)),
    ]);
    this.sockets = [];
    for (const socket of sockets) {
      socket.close();
    }
  }
}
