import { readFileSync } from 'fs';
import { L2Link } from './link';

/*
 * How frames reach the wire. Node.js has no AF_PACKET sockets, and answering ARP/NDP
 * for an address the kernel does not hold needs raw frames both ways. The choice:
 *  - `cap` (npm, a libpcap binding, builds on Node 20 from the registry against
 *    Debian's libpcap-dev): receive with a BPF filter, send with pcap_sendpacket.
 *    The agent then answers ARP/NDP itself, so it can probe first (RFC 5227), refuse
 *    to answer in a conflict, and hand over in one frame.
 *  - The kernel's own ARP/NDP with the VIP on the interface (kube-vip): no native
 *    module, but the kernel answers whenever the address is configured, so it cannot
 *    probe before claiming nor stay silent in a conflict, and gratuitous frames still
 *    need raw sends.
 * So: `cap`, as an optional dependency (a machine without libpcap-dev still installs
 * the package), loaded lazily with a clear error when missing. The kernel still
 * receives the traffic: the owner puts the VIP on a dummy interface and sets
 * arp_ignore/arp_announce so the kernel never answers for it (see kernelAddresses.ts).
 */

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  send(buffer: Buffer, length?: number): void;
  close(): void;
  on(
    event: 'packet',
    listener: (nbytes: number, truncated: boolean) => void,
  ): void;
}

function loadCap(): new () => CapHandle {
  try {
    // `cap` is an optionalDependency on purpose (see above), loaded only when used.
    // eslint-disable-next-line @backstage/no-undeclared-imports
    return require('cap').Cap;
  } catch (error) {
    throw new Error(
      'L2 announcements need the optional dependency `cap` (a libpcap binding), ' +
        'which is not installed or did not build. Install libpcap-dev ' +
        '(Debian: apt-get install libpcap-dev) and run `npm install` again. ' +
        `Cause: ${(error as Error).message}`,
    );
  }
}

/** ARP, and ICMPv6 neighbor solicitations/advertisements without extension headers. */
const FILTER = 'arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))';

export function interfaceMac(interfaceName: string): string {
  return readFileSync(`/sys/class/net/${interfaceName}/address`, 'utf8')
    .trim()
    .toLowerCase();
}

export function openPcapLink(interfaceName: string): L2Link {
  const Cap = loadCap();
  const cap = new Cap();
  const buffer = Buffer.alloc(65535);
  const linkType = cap.open(interfaceName, FILTER, 1024 * 1024, buffer);
  if (linkType !== 'ETHERNET') {
    cap.close();
    throw new Error(
      `interface ${interfaceName} is not Ethernet (pcap link type ${linkType})`,
    );
  }
  const listeners: Array<(frame: Buffer) => void> = [];
  cap.on('packet', nbytes => {
    // cap reuses `buffer` for the next packet: hand out a copy.
    const frame = Buffer.from(buffer.subarray(0, nbytes));
    for (const listener of listeners) {
      listener(frame);
    }
  });
  let closed = false;
  return {
    interfaceName,
    mac: interfaceMac(interfaceName),
    send(frame) {
      if (closed) {
        return false;
      }
      try {
        cap.send(frame, frame.length);
        return true;
      } catch {
        return false;
      }
    },
    onFrame(listener) {
      listeners.push(listener);
    },
    close() {
      if (!closed) {
        closed = true;
        cap.close();
      }
    },
  };
}
