import { createSocket } from 'dgram';
import { AddressInfo } from 'net';
import { Registry } from 'prom-client';
import { ArpPacket } from '../codec/arp';
import { encodeArp } from '../codec/arp';
import { arpReply, decodeFrame, gratuitousArp } from '../codec/frame';
import { encodeEthernet, ETHERTYPE_ARP } from '../codec/ethernet';
import { L2Link } from '../wire/link';
import { L2Announcer } from './L2Announcer';

/*
 * The announcer's logic without namespaces: agents in one process, their "interfaces"
 * joined by an in-memory hub that delivers every frame to every other port (a
 * bridge), heartbeats over real UDP on loopback. The namespace suite runs the same
 * behaviour against the kernel.
 */
class Hub {
  private readonly ports: Array<{
    mac: string;
    deliver: (frame: Buffer) => void;
  }> = [];

  link(name: string, mac: string): L2Link {
    const listeners: Array<(frame: Buffer) => void> = [];
    const port = {
      mac,
      deliver: (frame: Buffer) => listeners.forEach(l => l(frame)),
    };
    this.ports.push(port);
    return {
      interfaceName: name,
      mac,
      send: frame => {
        for (const other of this.ports) {
          if (other !== port) {
            other.deliver(Buffer.from(frame));
          }
        }
        return true;
      },
      onFrame: listener => listeners.push(listener),
      close: () => {
        this.ports.splice(this.ports.indexOf(port), 1);
      },
    };
  }
}

const VIP = '192.0.2.50';
const CLIENT_MAC = '02:00:00:00:01:00';
const MACS: Record<string, string> = {
  'node-a': '02:00:00:00:00:0a',
  'node-b': '02:00:00:00:00:0b',
};

async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>(resolve => socket.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

function arpRequestFromClient(target: string): Buffer {
  const arp: ArpPacket = {
    operation: 'request',
    senderMac: CLIENT_MAC,
    senderIp: '192.0.2.100',
    targetMac: '00:00:00:00:00:00',
    targetIp: target,
  };
  return encodeEthernet({
    destination: 'ff:ff:ff:ff:ff:ff',
    source: CLIENT_MAC,
    etherType: ETHERTYPE_ARP,
    payload: encodeArp(arp),
  });
}

describe('L2Announcer', () => {
  let hub: Hub;
  let client: L2Link;
  let heard: Array<{ sourceMac: string; operation: string; senderIp: string }>;
  const agents = new Map<
    string,
    { announcer: L2Announcer; registry: Registry; linkUp: boolean }
  >();

  async function start(names: string[], vip = VIP) {
    const bridge = hub;
    const ports = new Map<string, number>();
    for (const name of names) ports.set(name, await freePort());
    for (const name of names) {
      const registry = new Registry();
      const entry = {
        announcer: undefined as unknown as L2Announcer,
        registry,
        linkUp: true,
      };
      entry.announcer = await L2Announcer.start({
        settings: {
          nodeName: name,
          interfaces: ['eth0'],
          heartbeat: {
            port: ports.get(name)!,
            key: 'test key of enough length',
            intervalMs: 20,
            missedBeats: 3,
            peers: names
              .filter(n => n !== name)
              .map(n => `127.0.0.1:${ports.get(n)}`),
          },
          probe: { count: 2, intervalMs: 10, waitMs: 20, recheckMs: 200 },
          announce: { count: 2, intervalMs: 20 },
        },
        registry,
        openLink: () => bridge.link('eth0', MACS[name]),
        linkUp: () => entry.linkUp,
      });
      entry.announcer.setDesired([{ address: vip, nodes: names }]);
      agents.set(name, entry);
    }
    await until(
      () =>
        [...agents.values()].every(
          a => a.announcer.status().healthyNodes.length === names.length,
        ),
      'all agents healthy',
    );
  }

  const announcers = (address = VIP) =>
    [...agents.entries()]
      .filter(([, a]) =>
        a.announcer
          .status()
          .vips.some(v => v.address === address && v.announcing),
      )
      .map(([name]) => name);

  beforeEach(() => {
    hub = new Hub();
    heard = [];
    client = hub.link('client', CLIENT_MAC);
    client.onFrame(bytes => {
      const frame = decodeFrame(bytes);
      if (frame.ok && frame.value.kind === 'arp') {
        heard.push({ sourceMac: frame.value.sourceMac, ...frame.value.arp });
      }
    });
  });

  afterEach(async () => {
    await Promise.all([...agents.values()].map(a => a.announcer.stop()));
    agents.clear();
  });

  it('elects one owner that alone answers ARP and shows up in status and metrics', async () => {
    await start(['node-a', 'node-b']);
    await until(() => announcers().length === 1, 'one announcer');
    const [owner] = announcers();
    heard = [];
    client.send(arpRequestFromClient(VIP));
    await until(() => heard.some(h => h.operation === 'reply'), 'an ARP reply');
    expect(
      heard.filter(h => h.operation === 'reply').map(h => h.sourceMac),
    ).toEqual([MACS[owner]]);
    for (const { announcer } of agents.values()) {
      expect(announcer.status().vips).toEqual([
        expect.objectContaining({ address: VIP, owner, state: 'clear' }),
      ]);
    }
    const metrics = await agents.get(owner)!.registry.metrics();
    expect(metrics).toContain(`portico_l2_announcing{address="${VIP}"} 1`);
    expect(metrics).toContain('portico_l2_healthy_nodes 2');
  });

  it('hands over with gratuitous ARP when Kubernetes reports the owner not Ready', async () => {
    await start(['node-a', 'node-b']);
    await until(() => announcers().length === 1, 'one announcer');
    const [owner] = announcers();
    const other = owner === 'node-a' ? 'node-b' : 'node-a';
    heard = [];
    for (const { announcer } of agents.values())
      announcer.setKubernetesReadyNodes([other]);
    await until(
      () => announcers().join() === other,
      'the other node announcing',
    );
    await until(
      () => heard.some(h => h.sourceMac === MACS[other] && h.senderIp === VIP),
      'gratuitous ARP from the new owner',
    );
    const status = agents.get(other)!.announcer.status();
    expect(status.failovers).toContainEqual(
      expect.objectContaining({ address: VIP, from: owner, to: other }),
    );
  });

  it('steps down when its own link goes down', async () => {
    await start(['node-a', 'node-b']);
    await until(() => announcers().length === 1, 'one announcer');
    const [owner] = announcers();
    agents.get(owner)!.linkUp = false;
    await until(
      () => announcers().length === 1 && announcers()[0] !== owner,
      'takeover',
    );
    expect(agents.get(owner)!.announcer.status()).toMatchObject({
      linkUp: false,
      ready: false,
    });
  });

  it('refuses an address another device answers for, and claims it after it goes away', async () => {
    let foreignAnswers = true;
    const foreign = hub.link('foreign', '02:00:00:00:09:99');
    foreign.onFrame(bytes => {
      const frame = decodeFrame(bytes);
      if (
        foreignAnswers &&
        frame.ok &&
        frame.value.kind === 'arp' &&
        frame.value.arp.targetIp === VIP
      ) {
        foreign.send(arpReply(foreign.mac, VIP, frame.value.arp));
      }
    });
    await start(['node-a', 'node-b']);
    await until(
      () =>
        [...agents.values()].every(
          a => a.announcer.status().vips[0]?.state === 'conflict',
        ),
      'both agents in conflict',
    );
    expect(announcers()).toEqual([]);
    const conflict = agents.get('node-a')!.announcer.status().conflicts[0];
    expect(conflict).toMatchObject({
      address: VIP,
      mac: foreign.mac,
      phase: 'probe',
      how: 'arp reply',
    });
    expect(await agents.get('node-a')!.registry.metrics()).toContain(
      `portico_l2_conflict{address="${VIP}"} 1`,
    );
    foreignAnswers = false;
    await until(
      () => announcers().length === 1,
      'claimed after the device left',
    );
    foreign.close();
  });

  it('announces again when another agent wrongly claims its address', async () => {
    await start(['node-a', 'node-b']);
    await until(() => announcers().length === 1, 'one announcer');
    const [owner] = announcers();
    const other = owner === 'node-a' ? 'node-b' : 'node-a';
    // What the other agent sends if it briefly missed the owner's beats.
    const [staleClaim] = gratuitousArp(MACS[other], VIP);
    heard = [];
    client.send(staleClaim);
    await until(
      () => heard.some(h => h.sourceMac === MACS[owner] && h.senderIp === VIP),
      'the owner announcing again',
    );
    expect(announcers()).toEqual([owner]);
  });

  it('stops announcing an address removed from the desired set', async () => {
    await start(['node-a', 'node-b']);
    await until(() => announcers().length === 1, 'one announcer');
    for (const { announcer } of agents.values()) announcer.setDesired([]);
    expect(announcers()).toEqual([]);
    heard = [];
    client.send(arpRequestFromClient(VIP));
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(heard.filter(h => h.operation === 'reply')).toEqual([]);
  });
});
