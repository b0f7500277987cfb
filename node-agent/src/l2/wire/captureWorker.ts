/*
 * The receive side of one interface, run in its own worker thread (packetLink.ts).
 * Plain JavaScript in a string, evaluated by `new Worker(source, { eval: true })`:
 * a worker file would need the TypeScript loader under tests and a second entry in
 * the package build, a string works the same from source and from dist.
 *
 * The worker blocks in poll(2) on an AF_PACKET socket (libc through koffi) and
 * posts each frame to the main thread. It never gives up on the interface:
 *  - link down: the kernel reports ENETDOWN on the socket (what aborted the old
 *    libpcap binding); it is counted and ignored, the socket works again on link up;
 *  - interface deleted or re-created (a new ifindex): the socket is closed and a new
 *    one bound as soon as an interface of that name exists again;
 * and it reports every change of ifindex/MAC so the main thread sends on the right
 * one. It stops within one poll timeout once the shared stop flag is set.
 *
 * The BPF program is `tcpdump -i lo -dd 'arp or (icmp6 and (ip6[40] == 135 or
 * ip6[40] == 136))'`: ARP, and neighbor solicitations/advertisements, so the rest
 * of the traffic to a VIP never crosses into user space. The socket is created
 * with protocol 0 (it receives nothing), filtered, then bound to ETH_P_ALL on the
 * interface, so no unfiltered frame from another interface slips in first.
 *
 * workerData: { koffiPath, interfaceName, stop: SharedArrayBuffer(Int32Array[1]),
 * pollMs }. Messages: { type: 'frame', frame: Uint8Array } and
 * { type: 'link', ifindex, mac, error? }.
 */
export const CAPTURE_WORKER_SOURCE = String.raw`
'use strict';
const { workerData, parentPort } = require('worker_threads');
const { readFileSync } = require('fs');
const koffi = require(workerData.koffiPath);

const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;
const ETH_P_ALL_BE = 0x0300;
const POLLIN = 0x1;
const EAGAIN = 11;
const EINTR = 4;

const lib = koffi.load('libc.so.6');
const sockFilter = koffi.struct('portico_sock_filter', {
  code: 'uint16', jt: 'uint8', jf: 'uint8', k: 'uint32',
});
const sockFprog = koffi.struct('portico_sock_fprog', {
  len: 'uint16', filter: koffi.pointer(sockFilter),
});
const socket = lib.func('int socket(int, int, int)');
const close = lib.func('int close(int)');
const bind = lib.func('int bind(int, const void *, uint32_t)');
const setsockoptProg = lib.func('setsockopt', 'int',
  ['int', 'int', 'int', koffi.pointer(sockFprog), 'uint32_t']);
const recv = lib.func('long recv(int, void *, unsigned long, int)');
const poll = lib.func('int poll(void *, unsigned long, int)');
const ifNameToIndex = lib.func('unsigned int if_nametoindex(const char *)');

const FILTER = [
  [0x28, 0, 0, 0x0000000c],
  [0x15, 9, 0, 0x00000806],
  [0x15, 0, 9, 0x000086dd],
  [0x30, 0, 0, 0x00000014],
  [0x15, 3, 0, 0x0000003a],
  [0x15, 0, 6, 0x0000002c],
  [0x30, 0, 0, 0x00000036],
  [0x15, 0, 4, 0x0000003a],
  [0x30, 0, 0, 0x00000036],
  [0x15, 1, 0, 0x00000087],
  [0x15, 0, 1, 0x00000088],
  [0x6, 0, 0, 0x00040000],
  [0x6, 0, 0, 0x00000000],
].map(([code, jt, jf, k]) => ({ code, jt, jf, k }));

const name = workerData.interfaceName;
const stop = new Int32Array(workerData.stop);
const pollMs = workerData.pollMs;
const buffer = Buffer.alloc(65536);
const pollfd = new Int32Array(2);
let fd = -1;
let ifindex = 0;

function errnoName() {
  return 'errno ' + koffi.errno();
}

function macOf() {
  try {
    return readFileSync('/sys/class/net/' + name + '/address', 'utf8').trim().toLowerCase();
  } catch {
    return undefined;
  }
}

function closeSocket() {
  if (fd >= 0) close(fd);
  fd = -1;
}

/** Binds a new filtered socket to the interface's current index; false if there is none. */
function open(index) {
  const s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return errnoName();
  if (setsockoptProg(s, SOL_SOCKET, SO_ATTACH_FILTER,
      { len: FILTER.length, filter: FILTER }, koffi.sizeof(sockFprog)) < 0) {
    const error = errnoName();
    close(s);
    return 'SO_ATTACH_FILTER ' + error;
  }
  const address = Buffer.alloc(20);
  address.writeUInt16LE(AF_PACKET, 0);
  address.writeUInt16LE(ETH_P_ALL_BE, 2);
  address.writeInt32LE(index, 4);
  if (bind(s, address, address.length) < 0) {
    const error = errnoName();
    close(s);
    return 'bind ' + error;
  }
  fd = s;
  return undefined;
}

let reported = '';

/** Follows the interface: (re)binds when its index changed, reports every change. */
function follow() {
  const index = ifNameToIndex(name);
  let error;
  if (index !== ifindex || fd < 0) {
    closeSocket();
    ifindex = index;
    error = index === 0 ? 'no such interface' : open(index);
  }
  const state = { type: 'link', ifindex: fd >= 0 ? ifindex : 0, mac: macOf(), error };
  const key = state.ifindex + ' ' + state.mac + ' ' + error;
  if (key !== reported) {
    reported = key;
    parentPort.postMessage(state);
  }
}

let lastFollow = 0;
while (Atomics.load(stop, 0) === 0) {
  const now = Date.now();
  if (fd < 0 || now - lastFollow >= pollMs) {
    lastFollow = now;
    follow();
  }
  if (fd < 0) {
    Atomics.wait(stop, 0, 0, pollMs);
    continue;
  }
  pollfd[0] = fd;
  pollfd[1] = POLLIN;
  const ready = poll(pollfd, 1, pollMs);
  if (ready <= 0) continue;
  for (let i = 0; i < 256; i++) {
    const n = recv(fd, buffer, buffer.length, 0);
    if (n < 0) {
      const errno = koffi.errno();
      // ENETDOWN after link down, ENXIO/ENODEV once the interface is gone: the
      // next follow() decides; nothing here ends the loop.
      if (errno !== EAGAIN && errno !== EINTR) lastFollow = 0;
      break;
    }
    const frame = new Uint8Array(n);
    frame.set(buffer.subarray(0, n));
    parentPort.postMessage({ type: 'frame', frame }, [frame.buffer]);
  }
}
closeSocket();
`;
