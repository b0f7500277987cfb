import type { Duplex } from 'node:stream';
import {
  BgpMessage,
  CapabilityCode,
  decodeMessage,
  encodeKeepalive,
  encodeOpen,
  MessageSplitter,
} from '../codec';

/**
 * The far end of an in-memory connection, played by a test: it decodes what
 * the session sends and writes whatever bytes the test wants.
 */
export class ScriptedPeer {
  readonly received: BgpMessage[] = [];
  private readonly splitter = new MessageSplitter();
  private waiter?: () => void;
  ended = false;

  constructor(readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) {
        const r = decodeMessage(frame, { fourOctetAs: true });
        if (r.ok) this.received.push(r.message);
      }
      this.waiter?.();
    });
    const end = () => {
      this.ended = true;
      this.waiter?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** Waits (bounded) until a message of `type` arrives and returns it. */
  async expect<T extends BgpMessage['type']>(
    type: T,
    timeoutMs = 2000,
  ): Promise<Extract<BgpMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(m => m.type === type);
      if (i >= 0) {
        return this.received.splice(i, 1)[0] as Extract<
          BgpMessage,
          { type: T }
        >;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no ${type} within ${timeoutMs} ms; got ${this.received.map(
            m => m.type,
          )}`,
        );
      }
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async waitEnded(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 10));
    }
    return this.ended;
  }

  send(buf: Buffer): void {
    this.socket.write(buf);
  }

  sendOpen(opts: { asn: number; routerId: string; holdTime?: number }): void {
    this.send(
      encodeOpen({
        version: 4,
        asn: opts.asn,
        holdTime: opts.holdTime ?? 90,
        routerId: opts.routerId,
        capabilities: [
          { code: CapabilityCode.MULTIPROTOCOL, afi: 1, safi: 1 },
          { code: CapabilityCode.MULTIPROTOCOL, afi: 2, safi: 1 },
          { code: CapabilityCode.FOUR_OCTET_AS, asn: opts.asn },
        ],
      }),
    );
  }

  sendKeepalive(): void {
    this.send(encodeKeepalive());
  }

  close(): void {
    this.socket.destroy();
  }
}
