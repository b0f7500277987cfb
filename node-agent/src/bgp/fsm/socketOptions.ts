/**
 * The speaker's only calls into libc. Node exposes neither TCP_MD5SIG (RFC 2385)
 * nor IP_TTL / IPV6_UNICAST_HOPS on TCP sockets, and an MD5 key must be on the
 * socket before the SYN leaves, so active sessions open their socket here and
 * hand the connected descriptor to `net.Socket`. Linux only: the constants
 * below are Linux's. Where koffi or libc cannot be loaded, `nativeSockets()`
 * says why and the speaker falls back to plain Node sockets.
 */
import { isIPv6 } from 'node:net';
import type net from 'node:net';
import { getSystemErrorMap } from 'node:util';
import {
  AF_INET,
  AF_INET6,
  encodeSockaddr,
  encodeTcpMd5sig,
  TCP_MD5SIG_LEN,
} from './sockaddr';

const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const IPPROTO_IP = 0;
const IP_TTL = 2;
const IPPROTO_TCP = 6;
const TCP_MD5SIG = 14;
const IPPROTO_IPV6 = 41;
const IPV6_UNICAST_HOPS = 16;
const EINPROGRESS = 115;
const POLLOUT = 0x4;
const POLLERR = 0x8;
const POLLHUP = 0x10;

export interface NativeSockets {
  /** A new non-blocking, close-on-exec TCP socket for `family`. */
  open(family: number): number;
  close(fd: number): void;
  /** Adds (or, with an empty key, removes) the TCP-MD5 key for `peer`. */
  setMd5Key(fd: number, family: number, peer: string, key: string): void;
  /** TTL (IPv4 peer) or unicast hop limit (IPv6 peer) of outgoing segments. */
  setTtl(fd: number, peer: string, ttl: number): void;
  getTtl(fd: number, peer: string): number;
  bind(fd: number, family: number, address: string): void;
  /** Starts connecting; true when already connected. */
  startConnect(fd: number, family: number, host: string, port: number): boolean;
  /** Polls a connect in progress: false while pending, throws if it failed. */
  connected(fd: number, target: string): boolean;
}

export type NativeSocketsStatus =
  | { sockets: NativeSockets; unavailable?: undefined }
  | { sockets?: undefined; unavailable: string };

let loaded: NativeSocketsStatus | undefined;

/** Loads libc through koffi once; never throws. */
export function nativeSockets(): NativeSocketsStatus {
  if (!loaded) {
    try {
      loaded = { sockets: load() };
    } catch (e) {
      loaded = { unavailable: `cannot call libc: ${(e as Error).message}` };
    }
  }
  return loaded;
}

/** The descriptor under a Node socket or server, once it has one. */
export function socketFd(s: net.Socket | net.Server): number | undefined {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

export function familyOfAddress(address: string): number {
  return isIPv6(address) ? AF_INET6 : AF_INET;
}

function errnoError(call: string, errno: number, detail = ''): Error {
  const [code, text] = getSystemErrorMap().get(-errno) ?? [`errno ${errno}`];
  const e = new Error(
    `${call} ${code}${text ? ` (${text})` : ''}${detail ? ` ${detail}` : ''}`,
  );
  (e as NodeJS.ErrnoException).code = code;
  (e as NodeJS.ErrnoException).errno = errno;
  return e;
}

function load(): NativeSockets {
  if (process.platform !== 'linux') throw new Error('not Linux');
  // Loaded lazily so that a platform without koffi's binaries still runs the
  // speaker, without TCP-MD5 and TTL control.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int, int, int)');
  const close = lib.func('int close(int)');
  const setsockopt = lib.func(
    'int setsockopt(int, int, int, const void *, uint32_t)',
  );
  const getsockopt = lib.func('int getsockopt(int, int, int, void *, void *)');
  const bind = lib.func('int bind(int, const void *, uint32_t)');
  const connect = lib.func('int connect(int, const void *, uint32_t)');
  const poll = lib.func('int poll(void *, unsigned long, int)');

  const check = (call: string, rc: number, detail?: string) => {
    if (rc < 0) throw errnoError(call, koffi.errno(), detail);
    return rc;
  };
  // Typed arrays: socket options and struct pollfd are in host byte order.
  const setInt = (fd: number, level: number, name: number, v: number) => {
    check('setsockopt', setsockopt(fd, level, name, new Int32Array([v]), 4));
  };
  const getInt = (fd: number, level: number, name: number) => {
    const v = new Int32Array(1);
    check('getsockopt', getsockopt(fd, level, name, v, new Uint32Array([4])));
    return v[0];
  };
  const ttlOption = (peer: string): [number, number] =>
    isIPv6(peer) ? [IPPROTO_IPV6, IPV6_UNICAST_HOPS] : [IPPROTO_IP, IP_TTL];

  return {
    open: family =>
      check(
        'socket',
        socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
      ),
    close: fd => {
      close(fd);
    },
    setMd5Key: (fd, family, peer, key) => {
      const sig = encodeTcpMd5sig(peer, key, family);
      check(
        'setsockopt(TCP_MD5SIG)',
        setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, sig, TCP_MD5SIG_LEN),
        peer,
      );
    },
    setTtl: (fd, peer, ttl) => setInt(fd, ...ttlOption(peer), ttl),
    getTtl: (fd, peer) => getInt(fd, ...ttlOption(peer)),
    bind: (fd, family, address) => {
      const sa = encodeSockaddr(address, 0, family);
      check('bind', bind(fd, sa, sa.length), address);
    },
    startConnect: (fd, family, host, port) => {
      const sa = encodeSockaddr(host, port, family);
      if (connect(fd, sa, sa.length) === 0) return true;
      const errno = koffi.errno();
      if (errno !== EINPROGRESS) {
        throw errnoError('connect', errno, `${host}:${port}`);
      }
      return false;
    },
    connected: (fd, target) => {
      // struct pollfd { int fd; short events; short revents; }
      const pfd = new Int32Array([fd, 0]);
      const events = new Int16Array(pfd.buffer, 4, 2);
      events[0] = POLLOUT;
      if (check('poll', poll(pfd, 1, 0)) === 0) return false;
      if ((events[1] & (POLLOUT | POLLERR | POLLHUP)) === 0) return false;
      const err = getInt(fd, SOL_SOCKET, SO_ERROR);
      if (err !== 0) throw errnoError('connect', err, target);
      return true;
    },
  };
}
