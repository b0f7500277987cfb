import net from 'node:net';
import type { Duplex } from 'node:stream';
import {
  familyOfAddress,
  NativeSockets,
  nativeSockets,
  NativeSocketsStatus,
} from './socketOptions';

export interface DialOptions {
  host: string;
  port: number;
  localAddress?: string;
  /** RFC 2385 key: every segment is signed, the SYN included. */
  md5Key?: string;
  /** IP TTL / IPv6 hop limit of every segment, the SYN included. */
  ttl?: number;
}

/** How often a non-blocking connect is polled for completion. */
const CONNECT_POLL_MS = 20;

/**
 * Opens the TCP connection to a peer. With an MD5 key or a TTL the socket is
 * made through libc (see socketOptions.ts), since both must be set before the
 * SYN; otherwise Node connects with the kernel's defaults.
 */
export function dialTcp(
  opts: DialOptions,
  signal: AbortSignal,
  native: NativeSocketsStatus = nativeSockets(),
): Promise<Duplex> {
  if (opts.md5Key === undefined && opts.ttl === undefined) {
    return dialPlain(opts, signal);
  }
  if (!native.sockets) return Promise.reject(new Error(native.unavailable));
  return dialNative(native.sockets, opts, signal);
}

function dialPlain(opts: DialOptions, signal: AbortSignal): Promise<Duplex> {
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

/**
 * socket, setsockopt, bind, non-blocking connect polled until it completes or
 * `signal` aborts, then the connected descriptor handed to `net.Socket`. The
 * descriptor is closed on every path that does not hand it over.
 */
export async function dialNative(
  sockets: NativeSockets,
  opts: DialOptions,
  signal: AbortSignal,
): Promise<net.Socket> {
  if (signal.aborted) throw new Error('aborted');
  const family = familyOfAddress(opts.host);
  const fd = sockets.open(family);
  let handedOver = false;
  try {
    if (opts.md5Key) sockets.setMd5Key(fd, family, opts.host, opts.md5Key);
    if (opts.ttl !== undefined) sockets.setTtl(fd, opts.host, opts.ttl);
    if (opts.localAddress) sockets.bind(fd, family, opts.localAddress);
    if (!sockets.startConnect(fd, family, opts.host, opts.port)) {
      await waitConnected(sockets, fd, `${opts.host}:${opts.port}`, signal);
    }
    const socket = new net.Socket({ fd, readable: true, writable: true });
    handedOver = true;
    socket.setNoDelay(true);
    return socket;
  } finally {
    if (!handedOver) sockets.close(fd);
  }
}

function waitConnected(
  sockets: NativeSockets,
  fd: number,
  target: string,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('connect timed out or aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const poll = () => {
      let done: boolean;
      try {
        done = sockets.connected(fd, target);
      } catch (e) {
        signal.removeEventListener('abort', onAbort);
        reject(e);
        return;
      }
      if (!done) {
        timer = setTimeout(poll, CONNECT_POLL_MS);
        return;
      }
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    poll();
  });
}
