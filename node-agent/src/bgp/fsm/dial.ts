import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface DialOptions {
  host: string;
  port: number;
  localAddress?: string;
}

/**
 * Opens the TCP connection to a peer. Node exposes neither IP_TTL nor
 * TCP_MD5SIG on sockets, so packets leave with the kernel's default TTL (64,
 * which single-hop and multi-hop eBGP peers both accept unless they enforce
 * GTSM) and without RFC 2385 signatures.
 */
export function dialTcp(
  opts: DialOptions,
  signal: AbortSignal,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const socket = net.connect({
      host: opts.host,
      port: opts.port,
      localAddress: opts.localAddress,
    });
    const onAbort = () => {
      socket.destroy();
      reject(new Error('connect timed out or aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', e => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(e);
    });
  });
}
