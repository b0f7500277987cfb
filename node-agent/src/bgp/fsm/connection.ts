import type { Duplex } from 'node:stream';
import {
  BgpError,
  BgpMessage,
  CodecContext,
  decodeMessage,
  encodeNotification,
  MessageSplitter,
  OpenMessage,
} from '../codec';

export type ConnectionEvent =
  | { kind: 'message'; message: BgpMessage }
  | { kind: 'error'; error: BgpError }
  | { kind: 'closed'; reason: string }
  | { kind: 'timeout' }
  | { kind: 'superseded'; by: Connection };

/**
 * One TCP connection to a peer, as a queue of events. Frames are cut as bytes
 * arrive but decoded only when the FSM asks for the next event, because how an
 * UPDATE decodes depends on the OPEN exchange (RFC 6793 4-octet AS).
 */
export class Connection {
  readonly ctx: CodecContext = { fourOctetAs: false };
  /** Set by the FSM once the peer's OPEN was accepted on this connection. */
  peerOpen?: OpenMessage;
  private readonly splitter = new MessageSplitter();
  private readonly queue: Array<Buffer | ConnectionEvent> = [];
  private waiter?: () => void;
  private closed = false;

  constructor(
    readonly socket: Duplex,
    readonly direction: 'outgoing' | 'incoming',
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      try {
        this.queue.push(...this.splitter.push(chunk));
      } catch (e) {
        this.queue.push({ kind: 'error', error: e as BgpError });
        this.closed = true;
      }
      this.wake();
    });
    const onEnd = (reason: string) => {
      if (this.closed) return;
      this.closed = true;
      this.queue.push({ kind: 'closed', reason });
      this.wake();
    };
    socket.on('end', () => onEnd('peer closed the connection'));
    socket.on('close', () => onEnd('connection closed'));
    socket.on('error', (e: Error) => onEnd(e.message));
  }

  get localAddress(): string | undefined {
    return (this.socket as { localAddress?: string }).localAddress;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Makes the FSM waiting on this connection switch to another one. */
  supersede(by: Connection) {
    this.queue.unshift({ kind: 'superseded', by });
    this.wake();
  }

  /**
   * The next event, or `timeout` once `deadline` (epoch ms) has passed, or
   * `closed` when the signal aborts. Undefined deadline waits without limit.
   */
  async next(
    deadline: number | undefined,
    signal: AbortSignal,
  ): Promise<ConnectionEvent> {
    for (;;) {
      const item = this.queue.shift();
      if (item !== undefined) {
        if (!Buffer.isBuffer(item)) return item;
        const r = decodeMessage(item, this.ctx);
        return r.ok
          ? { kind: 'message', message: r.message }
          : { kind: 'error', error: r.error };
      }
      if (signal.aborted) return { kind: 'closed', reason: 'stopped' };
      const wait = deadline === undefined ? undefined : deadline - Date.now();
      if (wait !== undefined && wait <= 0) return { kind: 'timeout' };
      await new Promise<void>(resolve => {
        let timer: NodeJS.Timeout | undefined = undefined;
        const done = () => {
          if (timer) clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.waiter = undefined;
          resolve();
        };
        if (wait !== undefined) timer = setTimeout(done, wait);
        signal.addEventListener('abort', done, { once: true });
        this.waiter = done;
      });
    }
  }

  /** Writes with backpressure; resolves false if the connection is gone. */
  async write(buf: Buffer): Promise<boolean> {
    if (this.closed || this.socket.destroyed) return false;
    if (this.socket.write(buf)) return true;
    return new Promise(resolve => {
      const finish = (ok: boolean) => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        resolve(ok);
      };
      function onDrain() {
        finish(true);
      }
      function onClose() {
        finish(false);
      }
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  /** Sends a NOTIFICATION (RFC 4271 §6) and closes. */
  async notifyAndClose(
    code: number,
    subcode: number,
    data?: Buffer,
  ): Promise<void> {
    if (!this.socket.destroyed && this.socket.writable) {
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, 1000);
        this.socket.end(encodeNotification({ code, subcode, data }), () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.close();
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
    this.wake();
  }
}
