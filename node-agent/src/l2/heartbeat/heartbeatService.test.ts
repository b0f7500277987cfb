import { createSocket } from 'dgram';
import { AddressInfo } from 'net';
import { HeartbeatService } from './heartbeatService';
import { encodeHeartbeat } from './message';

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
});
