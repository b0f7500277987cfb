import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import { Announcer } from './announcer/announcer';
import type { Route } from './announcer/types';
import { dialTcp } from './fsm/dial';
import { AF_INET, AF_INET6 } from './fsm/sockaddr';
import { BgpSession } from './fsm/session';
import {
  nativeSockets,
  NativeSocketsStatus,
  socketFd,
} from './fsm/socketOptions';
import type { LogFn } from './fsm/types';
import {
  outgoingTtl,
  PeerConfig,
  peerConfigSchema,
  ResolvedPeerConfig,
} from './peerConfig';
import { PeerStatus, registerBgpMetrics } from './status';

export interface BgpSpeakerOptions {
  /** Router ID for peers whose config has none (usually the node's IPv4). */
  routerId?: string;
  /** Accept connections from peers (required for passive peers). */
  listen?: { port: number; host?: string };
  registry?: Registry;
  log?: LogFn;
  /** Replaces TCP dialing, for tests that bring their own transport. */
  dial?: (peer: ResolvedPeerConfig, signal: AbortSignal) => Promise<Duplex>;
  backoff?: { initialMs: number; maxMs: number };
  /** TCP-MD5 and TTL control (libc through koffi); replaceable in tests. */
  native?: NativeSocketsStatus;
}

interface PeerRuntime {
  config: ResolvedPeerConfig;
  key: string;
  session?: BgpSession;
  announcer?: Announcer;
  desired: Route[];
  disabledReason?: string;
}

const ALL = '*';

/**
 * The node's BGP speaker: one session per configured peer, each with a
 * declarative announcer. The controller calls `setPeers` when BGPPeers change
 * and `setRoutes` with the whole desired set; `stop` withdraws and says Cease.
 */
export class BgpSpeaker {
  private readonly peers = new Map<string, PeerRuntime>();
  /** Desired routes by peer name, kept even for peers not configured yet. */
  private readonly desiredByPeer = new Map<string, Route[]>();
  private desiredForAll?: Route[];
  private server?: net.Server;
  private readonly flaps?: ReturnType<typeof registerBgpMetrics>['flaps'];
  private stopped = false;
  private readonly native: NativeSocketsStatus;
  /** TCP-MD5 keys set on the listening socket, by peer address. */
  private listenerKeys = new Map<string, string>();
  private ttlUnavailableLogged = false;

  constructor(private readonly options: BgpSpeakerOptions = {}) {
    this.native = options.native ?? nativeSockets();
    if (options.registry) {
      this.flaps = registerBgpMetrics(options.registry, () =>
        this.status(),
      ).flaps;
    }
  }

  /** Starts the listener when configured. Resolves once it is bound. */
  async listen(): Promise<void> {
    const l = this.options.listen;
    if (!l || this.server) return;
    const server = net.createServer(socket => this.onIncoming(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: l.port, host: l.host }, () => resolve());
    });
    this.syncListenerKeys();
  }

  get listenPort(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** Reconciles the peer list; changed peers are torn down and rebuilt. */
  async setPeers(peers: readonly PeerConfig[]): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map<string, ResolvedPeerConfig>();
    const invalid = new Map<string, string>();
    for (const p of peers) {
      // One bad peer is reported on its own status; the others still run.
      const parsed = peerConfigSchema.safeParse(p);
      if (parsed.success) {
        wanted.set(parsed.data.name, parsed.data);
      } else {
        const where = parsed.error.issues
          .map(i => `${i.path.join('.') || 'peer'}: ${i.message}`)
          .join('; ');
        invalid.set(p.name, `invalid peer config: ${where}`);
      }
    }
    const stops: Promise<void>[] = [];
    for (const [name, rt] of this.peers) {
      const next = wanted.get(name);
      if (!next || JSON.stringify(next) !== rt.key || invalid.has(name)) {
        this.peers.delete(name);
        stops.push(this.stopPeer(rt, 'peer deconfigured'));
      }
    }
    await Promise.all(stops);
    for (const [name, config] of wanted) {
      if (!this.peers.has(name)) this.peers.set(name, this.startPeer(config));
    }
    this.syncListenerKeys();
    for (const [name, reason] of invalid) {
      const given = peers.find(p => p.name === name)!;
      this.peers.set(name, {
        config: {
          name,
          peerAddress: String(given.peerAddress ?? ''),
          peerASN: Number(given.peerASN ?? 0),
        } as ResolvedPeerConfig,
        key: reason,
        desired: [],
        disabledReason: reason,
      });
      this.options.log?.('error', 'BGP peer disabled', { peer: name, reason });
    }
  }

  /**
   * Sets the whole desired route set of one peer, or of every peer (`*`). The
   * order against `setPeers` does not matter: a peer configured later starts
   * with the routes last set for its name, or for `*`.
   */
  setRoutes(peer: string, routes: readonly Route[]): void {
    const copy = [...routes];
    if (peer === ALL) {
      this.desiredForAll = copy;
      this.desiredByPeer.clear();
    } else {
      this.desiredByPeer.set(peer, copy);
    }
    for (const rt of this.peers.values()) {
      if (peer !== ALL && rt.config.name !== peer) continue;
      rt.desired = copy;
      rt.announcer?.setRoutes(rt.desired);
    }
  }

  /** Resolves when every Established peer holds exactly its desired set. */
  async settled(): Promise<void> {
    await Promise.all(
      [...this.peers.values()].map(rt => rt.announcer?.settled()),
    );
  }

  status(): PeerStatus[] {
    const now = Date.now();
    return [...this.peers.values()].map(rt => {
      const s = rt.session;
      const since = s?.state === 'Established' ? s.establishedAt : undefined;
      return {
        name: rt.config.name,
        peerAddress: rt.config.peerAddress,
        peerASN: rt.config.peerASN,
        state: s ? s.state : 'Disabled',
        establishedSince: since?.toISOString(),
        uptimeSeconds: since ? Math.floor((now - since.getTime()) / 1000) : 0,
        peerRouterId: s?.peerRouterId,
        routesSent: rt.announcer?.routesSent ?? 0,
        routesDesired: rt.desired.length,
        updatesSent: rt.announcer?.updatesSent ?? 0,
        lastError: rt.disabledReason ?? s?.lastError ?? rt.announcer?.lastError,
      };
    });
  }

  /**
   * Graceful shutdown: withdraw every route on every Established session, then
   * Cease/Administrative Shutdown, then close the listener.
   */
  async stop(reason = 'speaker shutting down'): Promise<void> {
    this.stopped = true;
    const all = [...this.peers.values()];
    this.peers.clear();
    await Promise.all(all.map(rt => this.stopPeer(rt, reason)));
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>(resolve => server.close(() => resolve()));
  }

  private startPeer(config: ResolvedPeerConfig): PeerRuntime {
    const rt: PeerRuntime = {
      config,
      key: JSON.stringify(config),
      desired: this.desiredByPeer.get(config.name) ?? this.desiredForAll ?? [],
    };
    const routerId = config.routerID ?? this.options.routerId;
    if (config.password && this.native.unavailable) {
      rt.disabledReason = `TCP-MD5 (password) needs TCP_MD5SIG on the socket: ${this.native.unavailable}`;
    } else if (!routerId) {
      rt.disabledReason =
        'no router ID: set routerID on the peer or the speaker';
    } else if (config.passive && !this.options.listen) {
      rt.disabledReason = 'passive peer but the speaker does not listen';
    }
    if (rt.disabledReason) {
      this.options.log?.('error', 'BGP peer disabled', {
        peer: config.name,
        reason: rt.disabledReason,
      });
      return rt;
    }
    const dial = this.options.dial;
    const ttl = this.ttlFor(config);
    const session = new BgpSession({
      localAsn: config.myASN,
      peerAsn: config.peerASN,
      routerId: routerId!,
      peerAddress: config.peerAddress,
      holdTime: config.holdTime,
      keepaliveTime: config.keepaliveTime,
      passive: config.passive,
      backoff: this.options.backoff,
      log: this.options.log,
      dial: dial
        ? signal => dial(config, signal)
        : signal =>
            dialTcp(
              {
                host: config.peerAddress,
                port: config.peerPort,
                localAddress: config.sourceAddress,
                md5Key: config.password || undefined,
                ttl,
              },
              signal,
              this.native,
            ),
    });
    rt.session = session;
    rt.announcer = new Announcer(session, {
      localAsn: config.myASN,
      peerAsn: config.peerASN,
      nextHopV4: config.nextHopV4,
      nextHopV6: config.nextHopV6,
      log: this.options.log,
    });
    rt.announcer.setRoutes(rt.desired);
    session.on('down', () => this.flaps?.inc({ peer: config.name }));
    session.start();
    return rt;
  }

  private async stopPeer(rt: PeerRuntime, reason: string): Promise<void> {
    if (!rt.session) return;
    if (rt.session.state === 'Established' && rt.announcer) {
      // Bounded: a peer that stopped reading must not hold up shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        rt.announcer.withdrawAll(),
        new Promise(r => {
          timer = setTimeout(r, 2000);
        }),
      ]);
      clearTimeout(timer);
    }
    await rt.session.stop(reason);
  }

  /**
   * Hands a connection from a peer to its session: matched on the peer's
   * address and, when several sessions go to one router from different local
   * addresses, on the address it connected to.
   */
  private onIncoming(socket: net.Socket): void {
    const remote = socket.remoteAddress?.replace(/^::ffff:/, '');
    const local = socket.localAddress?.replace(/^::ffff:/, '');
    const candidates = [...this.peers.values()].filter(
      p => p.config.peerAddress === remote && p.session,
    );
    const rt =
      candidates.find(p => p.config.sourceAddress === local) ??
      candidates.find(p => !p.config.sourceAddress);
    if (!rt || this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.setAcceptedTtl(socket, rt.config);
    rt.session!.acceptIncoming(socket);
  }

  /** The TTL to send with, when this host can set it (logged once if not). */
  private ttlFor(config: ResolvedPeerConfig): number | undefined {
    const ttl = outgoingTtl(config);
    if (ttl === undefined || !this.native.unavailable) return ttl;
    if (!this.ttlUnavailableLogged) {
      this.ttlUnavailableLogged = true;
      this.options.log?.('warn', 'BGP TTL not set: kernel default used', {
        reason: this.native.unavailable,
      });
    }
    return undefined;
  }

  private setAcceptedTtl(socket: net.Socket, config: ResolvedPeerConfig) {
    const ttl = this.ttlFor(config);
    const fd = socketFd(socket);
    if (ttl === undefined || fd === undefined || !this.native.sockets) return;
    try {
      this.native.sockets.setTtl(fd, config.peerAddress, ttl);
    } catch (e) {
      this.options.log?.('warn', 'BGP TTL not set on accepted connection', {
        peer: config.name,
        error: (e as Error).message,
      });
    }
  }

  /**
   * Keeps one TCP-MD5 key per password peer's address on the listening socket;
   * accepted connections inherit it. The kernel keys by remote address only,
   * so peers sharing an address must share the password: the first wins.
   */
  private syncListenerKeys(): void {
    const sockets = this.native.sockets;
    const server = this.server;
    const fd = server && socketFd(server);
    if (!sockets || !server || fd === undefined) return;
    const bound = server.address();
    const family =
      bound && typeof bound === 'object' && bound.family === 'IPv6'
        ? AF_INET6
        : AF_INET;
    const wanted = new Map<string, string>();
    for (const rt of this.peers.values()) {
      const { password, peerAddress, name } = rt.config;
      if (!rt.session || !password) continue;
      const have = wanted.get(peerAddress);
      if (have === undefined) wanted.set(peerAddress, password);
      else if (have !== password) {
        this.options.log?.(
          'warn',
          'BGP peers at one address disagree on the password',
          {
            peer: name,
            peerAddress,
          },
        );
      }
    }
    const set = (address: string, key: string) => {
      try {
        sockets.setMd5Key(fd, family, address, key);
        return true;
      } catch (e) {
        this.options.log?.('error', 'BGP TCP-MD5 key not set on the listener', {
          peerAddress: address,
          error: (e as Error).message,
        });
        return false;
      }
    };
    for (const address of this.listenerKeys.keys()) {
      if (!wanted.has(address)) set(address, '');
    }
    const installed = new Map<string, string>();
    for (const [address, key] of wanted) {
      if (this.listenerKeys.get(address) === key || set(address, key)) {
        installed.set(address, key);
      }
    }
    this.listenerKeys = installed;
  }
}
