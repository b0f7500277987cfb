import { createSocket } from 'dgram';
import { AddressInfo } from 'net';
import { HeartbeatService } from './heartbeatService';
import { decodeHeartbeat, encodeHeartbeat } from './message';

/* Real UDP on loopback, two services on ephemeral-like ports. */
const KEY = Buffer.from('a shared key of more than 16 bytes');

async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>(resolve => socket.close(() => resolve()));
  return port;
}

function service(name: string, port: number, peerPort: number, key = KEY) {
  const controller = new AbortController();
  const heartbeat = new HeartbeatService(
    name,
    {
      port,
      key,
      intervalMs: 20,
      missedBeats: 3,
      peers: [`127.0.0.1:${peerPort}`],
      maxClockSkewMs: 5000,
    },
    () => ({
      ready: true,
      macs: [`02:00:00:00:00:${name === 'node-a' ? '0a' : '0b'}`],
      owns: name === 'node-a' ? ['192.0.2.50'] : [],
    }),
    controller.signal,
  );
  return { heartbeat, controller };
}

function nextMembership(heartbeat: HeartbeatService): Promise<Set<string>> {
  return new Promise(resolve => heartbeat.once('membership', resolve));
}

describe('HeartbeatService', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map(cleanup => cleanup()));
  });

  it('sees a peer come and leave at once when it stops', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = service('node-a', portA, portB);
    const b = service('node-b', portB, portA);
    cleanups.push(
      () => a.heartbeat.stop(),
      () => b.heartbeat.stop(),
    );
    const joined = nextMembership(a.heartbeat);
    await a.heartbeat.start();
    await b.heartbeat.start();
    expect([...(await joined)]).toEqual(['node-b']);
    expect(a.heartbeat.isPeerMac('02:00:00:00:00:0b')).toBe(true);

    const left = nextMembership(a.heartbeat);
    const stoppedAt = Date.now();
    await b.heartbeat.stop();
    expect([...(await left)]).toEqual([]);
    // The leaving beat, not the 60 ms timeout, removed it.
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
  });

  it('declares a silent peer gone after the missed beats, from a real socket', async () => {
    const portA = await freePort();
    const a = service('node-a', portA, await freePort());
    cleanups.push(() => a.heartbeat.stop());
    await a.heartbeat.start();
    const sender = createSocket('udp4');
    cleanups.push(
      () => new Promise<void>(resolve => sender.close(() => resolve())),
    );
    const joined = nextMembership(a.heartbeat);
    const beat = (sequence: number) =>
      encodeHeartbeat(
        {
          node: 'node-c',
          incarnation: 1,
          sequence,
          sentAt: Date.now(),
          ready: true,
          leaving: false,
          macs: [],
        },
        KEY,
      );
    sender.send(beat(1), portA, '127.0.0.1');
    expect([...(await joined)]).toEqual(['node-c']);
    const gone = nextMembership(a.heartbeat);
    expect([...(await gone)]).toEqual([]);
    // A replay of the last beat does not bring it back.
    sender.send(beat(1), portA, '127.0.0.1');
    await new Promise(resolve => setTimeout(resolve, 100));
    expect([...a.heartbeat.healthyPeers()]).toEqual([]);
  });

  it('ignores beats signed with another key', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = service('node-a', portA, portB);
    const stranger = service(
      'node-x',
      portB,
      portA,
      Buffer.from('not the cluster key at all'),
    );
    cleanups.push(
      () => a.heartbeat.stop(),
      () => stranger.heartbeat.stop(),
    );
    const results: string[] = [];
    a.heartbeat.on('beat', result => results.push(result));
    await a.heartbeat.start();
    await stranger.heartbeat.start();
    await new Promise(resolve => setTimeout(resolve, 150));
    expect(results.length).toBeGreaterThan(2);
    expect(new Set(results)).toEqual(new Set(['bad-datagram']));
    expect([...a.heartbeat.healthyPeers()]).toEqual([]);
  });

  it('sends version 1 beside version 2 until the peer speaks version 2, and hears its claims', async () => {
    const [portA, portPeer] = [await freePort(), await freePort()];
    const a = service('node-a', portA, portPeer);
    const peer = createSocket('udp4');
    const versions: number[] = [];
    peer.on('message', datagram => {
      versions.push(datagram[4]);
      expect(decodeHeartbeat(datagram, KEY).ok).toBe(true);
    });
    await new Promise<void>(resolve =>
      peer.bind(portPeer, '127.0.0.1', resolve),
    );
    cleanups.push(
      () => a.heartbeat.stop(),
      () => new Promise<void>(resolve => peer.close(() => resolve())),
    );
    await a.heartbeat.start();
    const deadline = Date.now() + 5000;
    while (versions.length < 4 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    // An older agent at this address: it gets both, and keeps version 1.
    expect(versions.slice(0, 4)).toEqual([1, 2, 1, 2]);
    const claims = new Promise(resolve => a.heartbeat.once('claims', resolve));
    const beat = (sequence: number) =>
      encodeHeartbeat(
        {
          node: 'node-b',
          incarnation: Date.now(),
          sequence,
          sentAt: Date.now(),
          ready: true,
          leaving: false,
          macs: [],
          owns: ['192.0.2.60'],
        },
        KEY,
      );
    peer.send(beat(1), portA, '127.0.0.1');
    await claims;
    expect([...a.heartbeat.peerClaims().get('node-b')!]).toEqual([
      '192.0.2.60',
    ]);
    versions.length = 0;
    // Beats already on their way may still come as pairs; the later ones do not.
    while (versions.length < 10 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(versions.slice(-4)).toEqual([2, 2, 2, 2]);
  });
});
