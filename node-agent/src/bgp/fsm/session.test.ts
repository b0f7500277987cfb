import { once } from 'node:events';
import {
  encodeNotification,
  encodeRouteRefresh,
  encodeUpdate,
  UpdateMessage,
} from '../codec';
import { duplexPair } from '../testing/duplexPair';
import { ScriptedPeer } from '../testing/scriptedPeer';
import { BgpSession } from './session';
import { SessionOptions, SessionState } from './types';

const LOCAL = { localAsn: 64512, routerId: '192.0.2.10' };
const PEER_ASN = 65000;

/** A session whose dial hands out in-memory connections to scripted peers. */
function harness(extra: Partial<SessionOptions> = {}) {
  const peers: ScriptedPeer[] = [];
  const session = new BgpSession({
    ...LOCAL,
    peerAsn: PEER_ASN,
    peerAddress: '192.0.2.1',
    holdTime: 9,
    backoff: { initialMs: 50, maxMs: 100 },
    dial: async () => {
      const [ours, theirs] = duplexPair();
      peers.push(new ScriptedPeer(theirs));
      return ours;
    },
    ...extra,
  });
  const states: SessionState[] = [];
  session.on('state', s => states.push(s));
  const nextPeer = async (n: number) => {
    await waitFor(() => peers.length >= n);
    return peers[n - 1];
  };
  return { session, peers, states, nextPeer };
}

async function establish(peer: ScriptedPeer, holdTime = 9) {
  await peer.expect('open');
  peer.sendOpen({ asn: PEER_ASN, routerId: '192.0.2.1', holdTime });
  await peer.expect('keepalive');
  peer.sendKeepalive();
}

async function waitFor(fn: () => boolean, ms = 2000) {
  const deadline = Date.now() + ms;
  while (!fn() && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 10));
  }
}

async function waitState(session: BgpSession, state: SessionState, ms = 2000) {
  const deadline = Date.now() + ms;
  while (session.state !== state && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 10));
  }
  return session.state;
}

const sessions: BgpSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map(s => s.stop()));
});

function track<T extends { session: BgpSession }>(h: T): T {
  sessions.push(h.session);
  h.session.start();
  return h;
}

describe('BgpSession', () => {
  it('opens with our AS, hold time and capabilities and reaches Established', async () => {
    const { session, nextPeer, states } = track(harness());
    const peer = await nextPeer(1);
    const open = await peer.expect('open');
    expect(open).toMatchObject({
      asn: 64512,
      holdTime: 9,
      routerId: '192.0.2.10',
    });
    expect(open.capabilities.map(c => c.code).sort((a, b) => a - b)).toEqual([
      1, 1, 2, 64, 65,
    ]);
    const established = once(session, 'established');
    peer.sendOpen({ asn: PEER_ASN, routerId: '192.0.2.1', holdTime: 6 });
    await peer.expect('keepalive');
    peer.sendKeepalive();
    const [info] = await established;
    expect(info).toMatchObject({
      holdTime: 6,
      fourOctetAs: true,
      families: ['ipv4', 'ipv6'],
    });
    expect(states).toEqual([
      'Connect',
      'OpenSent',
      'OpenConfirm',
      'Established',
    ]);
  });

  it('accepts the OPEN fed one byte at a time', async () => {
    const { session, nextPeer } = track(harness());
    const peer = await nextPeer(1);
    await peer.expect('open');
    const bytes: Buffer[] = [];
    const write = peer.socket.write.bind(peer.socket);
    peer.socket.write = ((b: Buffer) => {
      bytes.push(b);
      return true;
    }) as typeof peer.socket.write;
    peer.sendOpen({ asn: PEER_ASN, routerId: '192.0.2.1' });
    peer.socket.write = write;
    for (const byte of Buffer.concat(bytes)) peer.send(Buffer.from([byte]));
    await peer.expect('keepalive');
    peer.sendKeepalive();
    expect(await waitState(session, 'Established')).toBe('Established');
  });

  it('sends KEEPALIVEs and, when the peer goes silent, Hold Timer Expired', async () => {
    const { session, nextPeer } = track(harness({ holdTime: 3 }));
    const peer = await nextPeer(1);
    await establish(peer, 3);
    expect(await waitState(session, 'Established')).toBe('Established');
    const down = once(session, 'down');
    // Keepalive every second (hold/3); we answer none of them.
    await peer.expect('keepalive', 2500);
    await peer.expect('keepalive', 2500);
    const n = await peer.expect('notification', 3000);
    expect([n.code, n.subcode]).toEqual([4, 0]);
    await down;
    expect(session.lastError).toBe('hold timer expired');
  }, 10000);

  it('rejects an OPEN from the wrong AS with Bad Peer AS', async () => {
    const { session, nextPeer } = track(harness());
    const peer = await nextPeer(1);
    await peer.expect('open');
    peer.sendOpen({ asn: 65001, routerId: '192.0.2.1' });
    const n = await peer.expect('notification');
    expect([n.code, n.subcode, n.data.readUInt16BE(0)]).toEqual([2, 2, 65001]);
    await waitFor(() => session.lastError !== undefined);
    expect(session.lastError).toContain('peer AS 65001');
  });

  it('answers an UPDATE in OpenSent with an FSM error (RFC 6608)', async () => {
    const { nextPeer } = track(harness());
    const peer = await nextPeer(1);
    await peer.expect('open');
    peer.send(
      encodeUpdate(
        { withdrawn: [], attributes: {}, nlri: [] },
        { fourOctetAs: true },
      ),
    );
    const n = await peer.expect('notification');
    expect([n.code, n.subcode]).toEqual([5, 1]);
  });

  it('answers a broken header in Established with Connection Not Synchronized', async () => {
    const { session, nextPeer } = track(harness());
    const peer = await nextPeer(1);
    await establish(peer);
    await waitState(session, 'Established');
    peer.send(Buffer.from([...Array(16).fill(0), 0, 19, 4]));
    const n = await peer.expect('notification');
    expect([n.code, n.subcode]).toEqual([1, 1]);
  });

  it('passes UPDATEs and ROUTE-REFRESH up, and redials after a peer NOTIFICATION', async () => {
    const { session, nextPeer } = track(harness());
    const peer = await nextPeer(1);
    await establish(peer);
    await waitState(session, 'Established');
    const updates: UpdateMessage[] = [];
    session.on('update', u => updates.push(u));
    const refresh = once(session, 'route-refresh');
    peer.send(
      encodeUpdate(
        {
          withdrawn: [],
          attributes: {
            origin: 0,
            asPath: [{ type: 2, asns: [65000] }],
            nextHop: '192.0.2.1',
          },
          nlri: ['203.0.113.0/24'],
        },
        { fourOctetAs: true },
      ),
    );
    peer.send(encodeRouteRefresh({ afi: 1, safi: 1 }));
    await refresh;
    expect(updates.map(u => u.nlri)).toEqual([['203.0.113.0/24']]);
    peer.send(encodeNotification({ code: 6, subcode: 4 }));
    const again = await nextPeer(2);
    expect(session.lastError).toBe('peer sent NOTIFICATION 6/4');
    await establish(again);
    expect(await waitState(session, 'Established')).toBe('Established');
  });

  it('stop() sends Cease/Administrative Shutdown with the reason', async () => {
    const { session, nextPeer } = track(harness());
    const peer = await nextPeer(1);
    await establish(peer);
    await waitState(session, 'Established');
    await session.stop('node draining');
    const n = await peer.expect('notification');
    expect([n.code, n.subcode]).toEqual([6, 2]);
    expect(n.data.subarray(1).toString()).toBe('node draining');
    expect(session.state).toBe('Idle');
  });

  it('retries after a connect timeout even when the dial settles late', async () => {
    let dials = 0;
    const { session } = track(
      harness({
        connectTimeoutMs: 30,
        // Rejects only a few ticks after the abort, as an async dial does.
        dial: signal =>
          new Promise((_, reject) => {
            dials++;
            signal.addEventListener('abort', () =>
              setTimeout(() => reject(new Error('aborted late')), 5),
            );
          }),
      }),
    );
    await waitFor(() => dials >= 2, 3000);
    expect(dials).toBeGreaterThanOrEqual(2);
    expect(session.lastError).toMatch(/^connect: /);
    expect(['Connect', 'Active']).toContain(session.state);
  });

  it('waits for the peer in passive mode and never dials', async () => {
    const { session } = track(
      harness({
        passive: true,
        dial: () => Promise.reject(new Error('dialed')),
      }),
    );
    await new Promise(r => setTimeout(r, 100));
    expect(session.state).toBe('Active');
    const [ours, theirs] = duplexPair();
    const peer = new ScriptedPeer(theirs);
    session.acceptIncoming(ours);
    await establish(peer);
    expect(await waitState(session, 'Established')).toBe('Established');
  });
});

describe('connection collision (RFC 4271 §6.8)', () => {
  async function collide(peerRouterId: string) {
    const h = track(harness());
    const outgoing = await h.nextPeer(1);
    await outgoing.expect('open');
    const [ours, theirs] = duplexPair();
    const incoming = new ScriptedPeer(theirs);
    h.session.acceptIncoming(ours);
    await incoming.expect('open');
    incoming.sendOpen({ asn: PEER_ASN, routerId: peerRouterId });
    return { ...h, outgoing, incoming };
  }

  it('keeps the peer’s connection when the peer has the higher identifier', async () => {
    const { session, outgoing, incoming } = await collide('192.0.2.200');
    const cease = await outgoing.expect('notification');
    expect([cease.code, cease.subcode]).toEqual([6, 7]);
    await incoming.expect('keepalive');
    incoming.sendKeepalive();
    expect(await waitState(session, 'Established')).toBe('Established');
    expect(session.peerRouterId).toBe('192.0.2.200');
  });

  it('keeps our connection when we have the higher identifier', async () => {
    const { session, outgoing, incoming } = await collide('192.0.2.2');
    const cease = await incoming.expect('notification');
    expect([cease.code, cease.subcode]).toEqual([6, 7]);
    outgoing.sendOpen({ asn: PEER_ASN, routerId: '192.0.2.2' });
    await outgoing.expect('keepalive');
    outgoing.sendKeepalive();
    expect(await waitState(session, 'Established')).toBe('Established');
  });

  it('refuses a second connection once Established', async () => {
    const { session, nextPeer } = track(harness());
    await establish(await nextPeer(1));
    await waitState(session, 'Established');
    const [ours, theirs] = duplexPair();
    const late = new ScriptedPeer(theirs);
    session.acceptIncoming(ours);
    const n = await late.expect('notification');
    expect([n.code, n.subcode]).toEqual([6, 7]);
    expect(session.state).toBe('Established');
  });
});
