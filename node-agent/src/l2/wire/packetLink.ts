import { closeSync, readFileSync } from 'fs';
import { Worker } from 'worker_threads';
import { CAPTURE_WORKER_SOURCE } from './captureWorker';
import { L2Link } from './link';

/*
 * How frames reach the wire. Node.js has no AF_PACKET sockets, and answering ARP/NDP
 * for an address the kernel does not hold needs raw frames both ways, so libc is
 * called through koffi (already used for TCP-MD5 and TTL in bgp/fsm/socketOptions.ts):
 *  - receive: a filtered AF_PACKET socket per interface in a worker thread
 *    (captureWorker.ts) that blocks in poll(2) and survives link down, interface
 *    deletion and re-creation. The libpcap binding used before aborted the whole
 *    process when the link went down under it (an assertion in its callback).
 *  - send: one non-blocking AF_PACKET socket on the main thread that receives
 *    nothing (protocol 0) and sends each frame with sendto() to the interface's
 *    current index, so a re-created interface is used as soon as it exists.
 * The kernel's own ARP/NDP (the VIP on the interface, as kube-vip does) was the
 * alternative: it answers whenever the address is configured, so it cannot probe
 * before claiming nor stay silent in a conflict. The kernel still receives the
 * traffic: the owner puts the VIP on a local interface and sets
 * arp_ignore/arp_announce so the kernel never answers for it (kernelAddresses.ts).
 */

const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
/** How long the worker blocks before it looks at the interface and the stop flag. */
const POLL_MS = 100;
/** A worker that died is restarted after this long, doubling up to a second. */
const RESTART_MS = 10;

interface Libc {
  sendSocket(): number;
  sendto(fd: number, frame: Buffer, address: Buffer): number;
  ifindex(name: string): number;
}

let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc) {
    return libc;
  }
  if (process.platform !== 'linux') {
    throw new Error('L2 announcements need Linux (AF_PACKET sockets)');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int, int, int)');
  const sendto = lib.func(
    'long sendto(int, const void *, unsigned long, int, const void *, uint32_t)',
  );
  const ifNameToIndex = lib.func('unsigned int if_nametoindex(const char *)');
  libc = {
    sendSocket: () => {
      const fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw new Error(
          `socket(AF_PACKET) failed (errno ${koffi.errno()}): L2 announcements need CAP_NET_RAW`,
        );
      }
      return fd;
    },
    sendto: (fd, frame, address) =>
      sendto(fd, frame, frame.length, 0, address, address.length),
    ifindex: name => ifNameToIndex(name),
  };
  return libc;
}

export function interfaceMac(interfaceName: string): string {
  return readFileSync(`/sys/class/net/${interfaceName}/address`, 'utf8')
    .trim()
    .toLowerCase();
}

/** struct sockaddr_ll for sending one frame: the interface and the frame's own header. */
function linkAddress(ifindex: number, frame: Buffer): Buffer {
  const address = Buffer.alloc(20);
  address.writeUInt16LE(AF_PACKET, 0);
  frame.copy(address, 2, 12, 14); // sll_protocol: the EtherType, network order
  address.writeInt32LE(ifindex, 4);
  address.writeUInt8(6, 11); // sll_halen
  frame.copy(address, 12, 0, 6); // sll_addr: the destination MAC
  return address;
}

export interface PacketLinkOptions {
  /** Called when the worker reports a change of the interface or restarts. */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * A raw Ethernet port on `interfaceName` through AF_PACKET sockets. The interface
 * must exist when opened (a clear error otherwise); afterwards it may go down, be
 * deleted and be re-created any number of times: frames flow again as soon as it is
 * back, and `mac` follows the current interface.
 */
export function openPacketLink(
  interfaceName: string,
  options: PacketLinkOptions = {},
): L2Link {
  const native = loadLibc();
  let ifindex = native.ifindex(interfaceName);
  if (ifindex === 0) {
    throw new Error(`no interface ${interfaceName} in this network namespace`);
  }
  let mac = interfaceMac(interfaceName);
  const sendFd = native.sendSocket();
  const listeners: Array<(frame: Buffer) => void> = [];
  const stop = new SharedArrayBuffer(4);
  let closed = false;
  let worker: Worker | undefined;
  let restartMs = RESTART_MS;
  const event = options.onEvent ?? (() => {});

  const startWorker = () => {
    const current = new Worker(CAPTURE_WORKER_SOURCE, {
      eval: true,
      // The worker is plain JavaScript: no TypeScript loader or other flags.
      execArgv: [],
      workerData: {
        koffiPath: require.resolve('koffi'),
        interfaceName,
        stop,
        pollMs: POLL_MS,
      },
    });
    worker = current;
    current.on('message', (message: WorkerMessage) => {
      if (message.type === 'frame') {
        const { buffer, byteOffset, byteLength } = message.frame;
        const frame = Buffer.from(buffer, byteOffset, byteLength);
        for (const listener of listeners) {
          listener(frame);
        }
      } else if (message.type === 'link') {
        restartMs = RESTART_MS;
        ifindex = message.ifindex;
        mac = message.mac ?? mac;
        event('capture', {
          interface: interfaceName,
          ifindex,
          mac,
          ...(message.error ? { error: message.error } : {}),
        });
      }
    });
    current.on('error', error =>
      event('capture worker failed', {
        interface: interfaceName,
        error: String(error),
      }),
    );
    current.on('exit', code => {
      if (closed || worker !== current) {
        return;
      }
      event('capture worker exited, restarting', {
        interface: interfaceName,
        code,
        inMs: restartMs,
      });
      setTimeout(() => !closed && startWorker(), restartMs);
      restartMs = Math.min(restartMs * 2, 1000);
    });
  };
  startWorker();

  return {
    interfaceName,
    get mac() {
      return mac;
    },
    send(frame) {
      if (closed) {
        return false;
      }
      // Asked every time (one ioctl): a re-created interface has a new index.
      const index = native.ifindex(interfaceName) || ifindex;
      return (
        index > 0 &&
        native.sendto(sendFd, frame, linkAddress(index, frame)) === frame.length
      );
    },
    onFrame(listener) {
      listeners.push(listener);
    },
    close() {
      if (closed) {
        return;
      }
      closed = true;
      // The worker sees the flag within one poll and closes its socket itself.
      const flag = new Int32Array(stop);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      closeFd(sendFd);
    },
  };
}

type WorkerMessage =
  | { type: 'frame'; frame: Uint8Array }
  | { type: 'link'; ifindex: number; mac?: string; error?: string };

function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
