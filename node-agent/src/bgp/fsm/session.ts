import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  Afi,
  BgpError,
  BgpMessage,
  Capability,
  CapabilityCode,
  CeaseSubcode,
  encodeKeepalive,
  encodeOpen,
  ErrorCode,
  Family,
  FsmSubcode,
  hasFamily,
  ipv4ToBytes,
  notificationText,
  OpenMessage,
  OpenSubcode,
  Safi,
  shutdownCommunication,
} from '../codec';
import { Connection, ConnectionEvent } from './connection';
import { Backoff, every, sleep } from './timers';
import {
  EstablishedInfo,
  SessionEvents,
  SessionOptions,
  SessionState,
} from './types';

/** RFC 4271 §8.2.2: a large hold timer while waiting for the peer's OPEN. */
const OPEN_HOLD_MS = 240_000;

type Next = SessionState | 'Stopped';

/**
 * One BGP session (RFC 4271 §8), one async function per state, each returning
 * the next state. The transport is injected (`dial`, `acceptIncoming`) so the
 * whole machine can be driven over in-memory streams.
 */
export class BgpSession extends EventEmitter<SessionEvents> {
  private stateValue: SessionState = 'Idle';
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private conn?: Connection;
  private incoming?: Connection;
  private incomingWake?: () => void;
  private running?: Promise<void>;
  private info?: EstablishedInfo;
  private readonly holdTime: number;
  private readonly families: Family[];
  lastError?: string;
  establishedAt?: Date;
  peerRouterId?: string;

  constructor(readonly options: SessionOptions) {
    super();
    const hold = options.holdTime ?? 90;
    if (hold !== 0 && hold < 3)
      throw new RangeError('hold time must be 0 or >= 3');
    this.holdTime = hold;
    this.families = options.families ?? ['ipv4', 'ipv6'];
    this.backoff = new Backoff(
      options.backoff?.initialMs ?? 1000,
      options.backoff?.maxMs ?? 30000,
    );
    if (!options.passive && !options.dial) {
      throw new TypeError('an active session needs a dial function');
    }
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get established(): EstablishedInfo | undefined {
    return this.stateValue === 'Established' ? this.info : undefined;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(): void {
    this.running ??= this.run();
  }

  /**
   * Stops for good: sends Cease/Administrative Shutdown (RFC 4486, with an
   * RFC 8203 reason) on an open connection and waits for the loop to end.
   */
  async stop(reason = 'shutdown'): Promise<void> {
    const conn = this.conn;
    const incoming = this.incoming;
    this.abort.abort();
    if (conn && !conn.isClosed) {
      await conn.notifyAndClose(
        ErrorCode.CEASE,
        CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
        shutdownCommunication(reason),
      );
    }
    incoming?.close();
    this.incomingWake?.();
    await this.running;
  }

  /**
   * Sends already-encoded messages while Established; resolves false when the
   * session is not Established or went down meanwhile.
   */
  async send(messages: Buffer[]): Promise<boolean> {
    const conn = this.conn;
    if (this.stateValue !== 'Established' || !conn) return false;
    // Coalesce into ~64 KiB writes: far fewer syscalls for bulk announcements.
    let batch: Buffer[] = [];
    let size = 0;
    for (const m of messages) {
      batch.push(m);
      size += m.length;
      if (size >= 65536) {
        if (!(await conn.write(Buffer.concat(batch)))) return false;
        batch = [];
        size = 0;
      }
    }
    if (batch.length && !(await conn.write(Buffer.concat(batch)))) return false;
    return this.conn === conn && this.stateValue === 'Established';
  }

  /** Hands in a TCP connection the peer opened to us (RFC 4271 §8.2.1.2). */
  acceptIncoming(socket: Duplex): void {
    const conn = new Connection(socket, 'incoming');
    if (this.abort.signal.aborted) {
      conn.close();
      return;
    }
    switch (this.stateValue) {
      case 'Idle':
      case 'Connect':
      case 'Active':
        this.incoming?.close();
        this.incoming = conn;
        this.incomingWake?.();
        return;
      case 'Established':
        // §6.8: a new connection while Established loses the collision.
        void conn.notifyAndClose(
          ErrorCode.CEASE,
          CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
        );
        return;
      default:
        void this.resolveCollision(conn);
    }
  }

  // ------------------------------------------------------------ main loop

  private async run(): Promise<void> {
    let next: Next = this.options.passive ? 'Active' : 'Connect';
    while (next !== 'Stopped' && !this.abort.signal.aborted) {
      this.setState(next);
      next = await this.step(next);
    }
    this.conn?.close();
    this.conn = undefined;
    this.setState('Idle');
  }

  private step(state: SessionState): Promise<Next> {
    switch (state) {
      case 'Idle':
        return this.idle();
      case 'Connect':
        return this.connect();
      case 'Active':
        return this.active();
      case 'OpenSent':
        return this.openSent();
      case 'OpenConfirm':
        return this.openConfirm();
      default:
        return this.establishedState();
    }
  }

  private setState(state: SessionState) {
    const prev = this.stateValue;
    if (prev === state) return;
    this.stateValue = state;
    this.log('debug', 'state change', { from: prev, to: state });
    this.emit('state', state, prev);
  }

  private log(
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields: Record<string, unknown> = {},
  ) {
    this.options.log?.(level, message, {
      peer: this.options.peerAddress,
      ...fields,
    });
  }

  private fail(reason: string): Next {
    this.lastError = reason;
    this.log('warn', 'session failed', { reason });
    this.conn?.close();
    this.conn = undefined;
    return 'Idle';
  }

  // ------------------------------------------------------------ states

  /** Idle: drop the connection; the backoff runs in Active (RFC 4271 §8.2.2). */
  private async idle(): Promise<Next> {
    this.conn?.close();
    this.conn = undefined;
    return 'Active';
  }

  /** Connect: dial, while still accepting a connection from the peer. */
  private async connect(): Promise<Next> {
    const dialAbort = new AbortController();
    const onStop = () => dialAbort.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    const timeout = setTimeout(
      () => dialAbort.abort(),
      this.options.connectTimeoutMs ?? 5000,
    );
    const dialed = this.options.dial!(dialAbort.signal).then(
      socket => ({ socket }),
      (e: Error) => ({ error: e.message }),
    );
    // waitIncoming also wakes when the connect times out; then no peer came
    // and the dial's own outcome (its rejection) decides.
    const incoming = this.waitIncoming(dialAbort.signal).then(async () =>
      this.incoming ? ({ incoming: true } as const) : dialed,
    );
    const first = await Promise.race([dialed, incoming]);
    clearTimeout(timeout);
    this.abort.signal.removeEventListener('abort', onStop);
    dialAbort.abort();
    if (this.abort.signal.aborted) {
      void dialed.then(d => 'socket' in d && d.socket.destroy());
      return 'Stopped';
    }
    if ('incoming' in first || this.incoming) {
      void dialed.then(d => 'socket' in d && d.socket.destroy());
      this.conn = this.takeIncoming();
      return 'OpenSent';
    }
    if ('error' in first) {
      this.lastError = `connect: ${first.error}`;
      return 'Active';
    }
    this.conn = new Connection(first.socket, 'outgoing');
    return 'OpenSent';
  }

  /** Active: wait for the peer, and (unless passive) redial after the backoff. */
  private async active(): Promise<Next> {
    if (this.incoming) {
      this.conn = this.takeIncoming();
      return 'OpenSent';
    }
    const wait = new AbortController();
    const onStop = () => wait.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    const timer = this.options.passive
      ? new Promise<void>(() => {})
      : sleep(this.backoff.next(), wait.signal);
    await Promise.race([timer, this.waitIncoming(wait.signal)]);
    wait.abort();
    this.abort.signal.removeEventListener('abort', onStop);
    if (this.abort.signal.aborted) return 'Stopped';
    if (this.incoming) {
      this.conn = this.takeIncoming();
      return 'OpenSent';
    }
    return 'Connect';
  }

  private async openSent(): Promise<Next> {
    const conn = this.conn!;
    await conn.write(this.encodeOwnOpen());
    const ev = await conn.next(Date.now() + OPEN_HOLD_MS, this.abort.signal);
    if (ev.kind === 'superseded') return this.adopt(ev.by);
    if (ev.kind === 'message' && ev.message.type === 'open') {
      const err = this.checkOpen(ev.message);
      if (err) {
        await conn.notifyAndClose(err.code, err.subcode, err.data);
        return this.fail(err.message);
      }
      this.acceptOpen(conn, ev.message);
      await conn.write(encodeKeepalive());
      return 'OpenConfirm';
    }
    return this.unexpected(conn, ev, FsmSubcode.UNEXPECTED_IN_OPEN_SENT);
  }

  private async openConfirm(): Promise<Next> {
    const conn = this.conn!;
    const keepalives = this.startKeepalives(conn);
    try {
      const ev = await conn.next(this.holdDeadline(), this.abort.signal);
      if (ev.kind === 'superseded') return this.adopt(ev.by);
      if (ev.kind === 'message' && ev.message.type === 'keepalive') {
        return 'Established';
      }
      return this.unexpected(conn, ev, FsmSubcode.UNEXPECTED_IN_OPEN_CONFIRM);
    } finally {
      keepalives.abort();
    }
  }

  private async establishedState(): Promise<Next> {
    const conn = this.conn!;
    const peerOpen = conn.peerOpen!;
    const hold = this.negotiatedHold(peerOpen);
    const both = (f: Family) =>
      hasFamily(peerOpen.capabilities, f) && this.families.includes(f);
    const anyMp = peerOpen.capabilities.some(
      c => c.code === CapabilityCode.MULTIPROTOCOL,
    );
    this.info = {
      peerOpen,
      holdTime: hold,
      fourOctetAs: conn.ctx.fourOctetAs,
      families: anyMp
        ? (['ipv4', 'ipv6'] as Family[]).filter(both)
        : this.families.filter(f => f === 'ipv4'),
      localAddress: conn.localAddress,
    };
    this.establishedAt = new Date();
    this.peerRouterId = peerOpen.routerId;
    this.lastError = undefined;
    this.backoff.reset();
    this.log('info', 'session established', {
      peerRouterId: peerOpen.routerId,
      holdTime: hold,
      families: this.info.families,
    });
    this.emit('established', this.info);
    const keepalives = this.startKeepalives(conn);
    let reason = 'session down';
    try {
      for (;;) {
        const ev = await conn.next(this.holdDeadline(), this.abort.signal);
        if (this.abort.signal.aborted) {
          reason = 'stopped';
          return 'Stopped';
        }
        if (ev.kind === 'message' && ev.message.type === 'keepalive') continue;
        if (ev.kind === 'message' && ev.message.type === 'update') {
          if (ev.message.treatAsWithdraw) {
            this.log('warn', 'malformed UPDATE treated as withdraw', {
              reasons: ev.message.treatAsWithdraw,
            });
          }
          this.emit('update', ev.message);
          continue;
        }
        if (ev.kind === 'message' && ev.message.type === 'route-refresh') {
          this.emit('route-refresh', ev.message);
          continue;
        }
        const next = await this.unexpected(
          conn,
          ev,
          FsmSubcode.UNEXPECTED_IN_ESTABLISHED,
        );
        reason = this.lastError ?? reason;
        return next;
      }
    } finally {
      keepalives.abort();
      this.establishedAt = undefined;
      this.info = undefined;
      this.emit('down', reason);
    }
  }

  // ------------------------------------------------------------ helpers

  /**
   * Every event other than the one a state waits for ends the session; this is
   * the common part of §8.2.2's OpenSent/OpenConfirm/Established tables.
   */
  private async unexpected(
    conn: Connection,
    ev: ConnectionEvent,
    fsmSubcode: number,
  ): Promise<Next> {
    if (this.abort.signal.aborted) return 'Stopped';
    switch (ev.kind) {
      case 'timeout':
        await conn.notifyAndClose(ErrorCode.HOLD_TIMER_EXPIRED, 0);
        return this.fail('hold timer expired');
      case 'closed':
        return this.fail(ev.reason);
      case 'error':
        await conn.notifyAndClose(
          ev.error.code,
          ev.error.subcode,
          ev.error.data,
        );
        return this.fail(
          `sent NOTIFICATION ${ev.error.code}/${ev.error.subcode}: ${ev.error.message}`,
        );
      case 'message':
        return this.unexpectedMessage(conn, ev.message, fsmSubcode);
      default:
        return this.fail('superseded');
    }
  }

  private async unexpectedMessage(
    conn: Connection,
    message: BgpMessage,
    fsmSubcode: number,
  ): Promise<Next> {
    if (message.type === 'notification') {
      conn.close();
      return this.fail(`peer sent ${notificationText(message)}`);
    }
    await conn.notifyAndClose(ErrorCode.FSM, fsmSubcode);
    return this.fail(`unexpected ${message.type} in ${this.stateValue}`);
  }

  private encodeOwnOpen(): Buffer {
    const caps: Capability[] = [
      ...this.families.map(f => ({
        code: CapabilityCode.MULTIPROTOCOL,
        afi: f === 'ipv4' ? Afi.IPV4 : Afi.IPV6,
        safi: Safi.UNICAST,
      })),
      { code: CapabilityCode.ROUTE_REFRESH },
      { code: CapabilityCode.FOUR_OCTET_AS, asn: this.options.localAsn },
      // RFC 4724 §3: no AFI/SAFI entries, we are a receiving speaker only.
      {
        code: CapabilityCode.GRACEFUL_RESTART,
        restartState: false,
        restartTime: 0,
        families: [],
      },
    ];
    return encodeOpen({
      version: 4,
      asn: this.options.localAsn,
      holdTime: this.holdTime,
      routerId: this.options.routerId,
      capabilities: caps,
    });
  }

  /** RFC 4271 §6.2 checks that need our configuration. */
  private checkOpen(open: OpenMessage): BgpError | undefined {
    if (open.asn !== this.options.peerAsn) {
      const data = Buffer.alloc(2);
      data.writeUInt16BE(open.asn > 0xffff ? 23456 : open.asn);
      return new BgpError(
        ErrorCode.OPEN_MESSAGE,
        OpenSubcode.BAD_PEER_AS,
        `peer AS ${open.asn}, expected ${this.options.peerAsn}`,
        data,
      );
    }
    if (
      open.routerId === this.options.routerId &&
      this.options.peerAsn === this.options.localAsn
    ) {
      return new BgpError(
        ErrorCode.OPEN_MESSAGE,
        OpenSubcode.BAD_BGP_IDENTIFIER,
        `iBGP peer uses our own router ID ${open.routerId}`,
      );
    }
    return undefined;
  }

  private acceptOpen(conn: Connection, open: OpenMessage) {
    conn.peerOpen = open;
    conn.ctx.fourOctetAs = open.capabilities.some(
      c => c.code === CapabilityCode.FOUR_OCTET_AS,
    );
    conn.ctx.external = this.options.peerAsn !== this.options.localAsn;
  }

  private negotiatedHold(peerOpen: OpenMessage): number {
    return Math.min(this.holdTime, peerOpen.holdTime);
  }

  private holdDeadline(): number | undefined {
    const hold = this.negotiatedHold(this.conn!.peerOpen!);
    return hold === 0 ? undefined : Date.now() + hold * 1000;
  }

  private startKeepalives(conn: Connection): AbortController {
    const ctl = new AbortController();
    const hold = this.negotiatedHold(conn.peerOpen!);
    if (hold === 0) return ctl;
    const configured = this.options.keepaliveTime;
    const seconds = Math.max(
      1,
      configured && configured > 0
        ? Math.min(configured, hold / 3)
        : Math.floor(hold / 3),
    );
    const stop = () => ctl.abort();
    this.abort.signal.addEventListener('abort', stop, { once: true });
    ctl.signal.addEventListener('abort', () =>
      this.abort.signal.removeEventListener('abort', stop),
    );
    every(seconds * 1000, ctl.signal, () => void conn.write(encodeKeepalive()));
    return ctl;
  }

  private waitIncoming(signal: AbortSignal): Promise<void> {
    if (this.incoming) return Promise.resolve();
    return new Promise(resolve => {
      const done = () => {
        signal.removeEventListener('abort', done);
        if (this.incomingWake === done) this.incomingWake = undefined;
        resolve();
      };
      this.incomingWake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private takeIncoming(): Connection {
    const c = this.incoming!;
    this.incoming = undefined;
    return c;
  }

  /** The surviving connection of a collision becomes the session's. */
  private adopt(conn: Connection): Next {
    this.conn = conn;
    return 'OpenConfirm';
  }

  /**
   * RFC 4271 §6.8: with two connections to one peer, the one opened by the
   * speaker with the higher BGP identifier survives; the other gets
   * Cease/Connection Collision Resolution (RFC 4486).
   */
  private async resolveCollision(candidate: Connection): Promise<void> {
    await candidate.write(this.encodeOwnOpen());
    const ev = await candidate.next(
      Date.now() + OPEN_HOLD_MS,
      this.abort.signal,
    );
    if (ev.kind !== 'message' || ev.message.type !== 'open') {
      candidate.close();
      return;
    }
    const err = this.checkOpen(ev.message);
    if (err) {
      await candidate.notifyAndClose(err.code, err.subcode, err.data);
      return;
    }
    const current = this.conn;
    const localId = ipv4ToBytes(this.options.routerId).readUInt32BE(0);
    const remoteId = ipv4ToBytes(ev.message.routerId).readUInt32BE(0);
    const keepIncoming =
      current !== undefined &&
      current.direction === 'outgoing' &&
      localId < remoteId &&
      (this.stateValue === 'OpenSent' || this.stateValue === 'OpenConfirm');
    if (!keepIncoming || !current) {
      await candidate.notifyAndClose(
        ErrorCode.CEASE,
        CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
      );
      return;
    }
    this.log('info', 'connection collision: keeping the peer’s connection', {
      peerRouterId: ev.message.routerId,
    });
    this.acceptOpen(candidate, ev.message);
    await candidate.write(encodeKeepalive());
    current.supersede(candidate);
    void current.notifyAndClose(
      ErrorCode.CEASE,
      CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
    );
  }
}
