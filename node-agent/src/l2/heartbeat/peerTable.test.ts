import { Heartbeat } from './message';
import { PeerTable } from './peerTable';

const WALL = 1764000000000;

function beat(
  node: string,
  sequence: number,
  extra: Partial<Heartbeat> = {},
): Heartbeat {
  return {
    node,
    incarnation: WALL - 5000,
    sequence,
    sentAt: WALL,
    ready: true,
    leaving: false,
    macs: [],
    ...extra,
  };
}

function table() {
  return new PeerTable({
    timeoutMs: 300,
    maxClockSkewMs: 5000,
    macMemoryMs: 60000,
  });
}

describe('PeerTable', () => {
  it('declares a peer gone after the timeout with no beat, and back when it beats', () => {
    const peers = table();
    peers.observe(beat('node-b', 1), 1000, WALL);
    expect([...peers.healthy(1299)]).toEqual(['node-b']);
    expect(peers.nextExpiry(1299)).toBe(1300);
    expect([...peers.healthy(1300)]).toEqual([]);
    expect(peers.nextExpiry(1300)).toBeUndefined();
    peers.observe(beat('node-b', 2), 1400, WALL);
    expect([...peers.healthy(1400)]).toEqual(['node-b']);
  });

  it('refuses replayed and older beats so a recording cannot keep a dead node alive', () => {
    const peers = table();
    expect(peers.observe(beat('node-b', 5), 0, WALL)).toMatchObject({
      accepted: true,
    });
    expect(peers.observe(beat('node-b', 5), 250, WALL)).toEqual({
      accepted: false,
      reason: 'replay',
    });
    expect(peers.observe(beat('node-b', 4), 250, WALL)).toMatchObject({
      accepted: false,
    });
    expect([...peers.healthy(301)]).toEqual([]);
  });

  it('accepts a restarted agent (larger incarnation) and refuses the previous one', () => {
    const peers = table();
    peers.observe(beat('node-b', 900), 0, WALL);
    expect(
      peers.observe(beat('node-b', 1, { incarnation: WALL }), 10, WALL),
    ).toMatchObject({
      accepted: true,
    });
    expect(peers.observe(beat('node-b', 901), 20, WALL)).toEqual({
      accepted: false,
      reason: 'old-incarnation',
    });
  });

  it('refuses beats from a clock too far off', () => {
    const peers = table();
    expect(
      peers.observe(beat('node-b', 1, { sentAt: WALL - 6000 }), 0, WALL),
    ).toEqual({
      accepted: false,
      reason: 'clock-skew',
    });
  });

  it('excludes peers not ready yet or leaving', () => {
    const peers = table();
    peers.observe(beat('node-b', 1, { ready: false }), 0, WALL);
    peers.observe(beat('node-c', 1), 0, WALL);
    peers.observe(beat('node-c', 2, { leaving: true }), 10, WALL);
    expect([...peers.healthy(20)]).toEqual([]);
  });

  it('remembers which node a MAC belongs to', () => {
    const peers = table();
    peers.observe(beat('node-b', 1, { macs: ['02:00:00:00:00:0b'] }), 0, WALL);
    expect(peers.nodeOfMac('02:00:00:00:00:0b', 1000)).toBe('node-b');
    expect(peers.nodeOfMac('02:00:00:00:00:0c', 1000)).toBeUndefined();
    expect(peers.nodeOfMac('02:00:00:00:00:0b', 70000)).toBeUndefined();
  });

  it('keeps what a peer claims from its version-2 beats, unknown while it sends version 1 only', () => {
    const peers = table();
    expect(peers.observe(beat('node-b', 1), 0, WALL)).toEqual({
      accepted: true,
      ownsChanged: true,
    });
    expect(peers.claims(10).get('node-b')).toBeUndefined();
    expect(
      peers.observe(beat('node-b', 2, { owns: ['192.0.2.50'] }), 10, WALL),
    ).toEqual({ accepted: true, ownsChanged: true });
    // A version-1 beat sent beside the version-2 ones does not erase the claims.
    expect(peers.observe(beat('node-b', 3), 20, WALL)).toEqual({
      accepted: true,
      ownsChanged: false,
    });
    expect([...peers.claims(30).get('node-b')!]).toEqual(['192.0.2.50']);
    expect(
      peers.observe(beat('node-b', 4, { owns: [] }), 40, WALL).accepted,
    ).toBe(true);
    expect([...peers.claims(50).get('node-b')!]).toEqual([]);
    // A restart (new incarnation) starts from what the new agent says.
    peers.observe(beat('node-b', 1, { incarnation: WALL }), 60, WALL);
    expect(peers.claims(70).get('node-b')).toBeUndefined();
  });
});
