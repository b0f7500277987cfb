import { Registry } from 'prom-client';
import { UpdateMessage } from './codec';
import { encodeRouteRefresh } from './codec';
import type { NativeSocketsStatus } from './fsm/socketOptions';
import { BgpSpeaker } from './speaker';
import { duplexPair } from './testing/duplexPair';
import { ScriptedPeer } from './testing/scriptedPeer';

const base = {
  myASN: 64512,
  peerAddress: '192.0.2.1',
  routerID: '192.0.2.10',
  holdTime: 9,
  nextHopV4: '192.0.2.10',
  nextHopV6: '2001:db8::10',
};

async function waitFor(fn: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!fn() && Date.now() < deadline)
    await new Promise(r => setTimeout(r, 10));
  return fn();
}

/** A speaker whose peers are scripted in memory. */
function harness(registry?: Registry, native?: NativeSocketsStatus) {
  const peers: ScriptedPeer[] = [];
  const speaker = new BgpSpeaker({
    registry,
    native,
    backoff: { initialMs: 20, maxMs: 50 },
    dial: async () => {
      const [ours, theirs] = duplexPair();
      peers.push(new ScriptedPeer(theirs));
      return ours;
    },
  });
  const connect = async (n: number, asn: number) => {
    await waitFor(() => peers.length >= n);
    const peer = peers[n - 1];
    await peer.expect('open');
    peer.sendOpen({ asn, routerId: '192.0.2.1' });
    await peer.expect('keepalive');
    peer.sendKeepalive();
    return peer;
  };
  return { speaker, connect, peers };
}

/** Reads UPDATEs until the peer has seen End-of-RIB or `settle` ms of quiet. */
async function collect(
  peer: ScriptedPeer,
  until: (u: UpdateMessage[]) => boolean,
) {
  const got: UpdateMessage[] = [];
  const deadline = Date.now() + 3000;
  while (!until(got) && Date.now() < deadline) {
    got.push(await peer.expect('update', deadline - Date.now()));
  }
  return got;
}

const announced = (us: UpdateMessage[]) =>
  us.flatMap(u => [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])]);
const withdrawn = (us: UpdateMessage[]) =>
  us.flatMap(u => [
    ...u.withdrawn,
    ...(u.attributes.mpUnreach?.withdrawn ?? []),
  ]);

let current: BgpSpeaker | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('BgpSpeaker', () => {
  it('sends the desired set to an eBGP peer once Established, then only diffs', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    await speaker.setPeers([{ ...base, name: 'tor', peerASN: 65000 }]);
    speaker.setRoutes('tor', [
      { prefix: '203.0.113.10/32', communities: ['65000:100'], localPref: 300 },
      { prefix: '203.0.113.11/32', communities: ['65000:100'] },
      { prefix: '2001:db8:1::10/128', largeCommunities: ['64512:1:2'] },
    ]);
    const peer = await connect(1, 65000);
    const first = await collect(peer, us => announced(us).length >= 3);
    expect(announced(first).sort()).toEqual([
      '2001:db8:1::10/128',
      '203.0.113.10/32',
      '203.0.113.11/32',
    ]);
    const v4 = first.find(u => u.nlri.length)!;
    // Both IPv4 routes share attributes, so they share one UPDATE.
    expect(v4.nlri).toHaveLength(2);
    expect(v4.attributes).toEqual({
      origin: 0,
      asPath: [{ type: 2, asns: [64512] }],
      nextHop: '192.0.2.10',
      communities: ['65000:100'],
    });
    const v6 = first.find(u => u.attributes.mpReach)!;
    expect(v6.attributes.mpReach?.nextHops).toEqual(['2001:db8::10']);
    expect(v6.attributes.largeCommunities).toEqual(['64512:1:2']);
    await speaker.settled();
    expect(speaker.status()[0]).toMatchObject({
      state: 'Established',
      routesSent: 3,
    });

    peer.received.length = 0;
    speaker.setRoutes('tor', [
      { prefix: '203.0.113.10/32', communities: ['65000:200'] },
      { prefix: '2001:db8:1::10/128', largeCommunities: ['64512:1:2'] },
    ]);
    await speaker.settled();
    const diff = await collect(peer, us => us.length >= 2);
    expect(withdrawn(diff)).toEqual(['203.0.113.11/32']);
    expect(announced(diff)).toEqual(['203.0.113.10/32']);
    expect(diff.find(u => u.nlri.length)?.attributes.communities).toEqual([
      '65000:200',
    ]);
  });

  it('sends LOCAL_PREF (100 by default) and an empty AS_PATH to iBGP peers', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    await speaker.setPeers([{ ...base, name: 'rr', peerASN: 64512 }]);
    speaker.setRoutes('*', [
      { prefix: '198.51.100.1/32', localPref: 250 },
      { prefix: '198.51.100.2/32' },
    ]);
    const peer = await connect(1, 64512);
    const us = await collect(peer, u => announced(u).length >= 2);
    const pref = Object.fromEntries(
      us.flatMap(u => u.nlri.map(p => [p, u.attributes])),
    );
    expect(pref['198.51.100.1/32']).toMatchObject({
      localPref: 250,
      asPath: [],
    });
    expect(pref['198.51.100.2/32']).toMatchObject({ localPref: 100 });
  });

  it('re-sends everything after the session comes back and on ROUTE-REFRESH', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    await speaker.setPeers([{ ...base, name: 'tor', peerASN: 65000 }]);
    speaker.setRoutes('tor', [{ prefix: '203.0.113.5/32' }]);
    const peer = await connect(1, 65000);
    expect(
      announced(await collect(peer, u => announced(u).length >= 1)),
    ).toEqual(['203.0.113.5/32']);
    peer.send(encodeRouteRefresh({ afi: 1, safi: 1 }));
    expect(
      announced(await collect(peer, u => announced(u).length >= 1)),
    ).toEqual(['203.0.113.5/32']);
    peer.close();
    const again = await connect(2, 65000);
    expect(
      announced(await collect(again, u => announced(u).length >= 1)),
    ).toEqual(['203.0.113.5/32']);
  });

  it('stop() withdraws every route, then sends Cease', async () => {
    const { speaker, connect } = harness();
    await speaker.setPeers([{ ...base, name: 'tor', peerASN: 65000 }]);
    speaker.setRoutes('tor', [
      { prefix: '203.0.113.5/32' },
      { prefix: '2001:db8::5/128' },
    ]);
    const peer = await connect(1, 65000);
    await collect(peer, u => announced(u).length >= 2);
    await speaker.settled();
    await speaker.stop('maintenance');
    const w = await collect(peer, u => withdrawn(u).length >= 2);
    expect(withdrawn(w).sort()).toEqual(['2001:db8::5/128', '203.0.113.5/32']);
    const cease = await peer.expect('notification');
    expect([cease.code, cease.subcode]).toEqual([6, 2]);
    expect(speaker.status()).toEqual([]);
  });

  it('packs 10k routes into few UPDATEs', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    await speaker.setPeers([{ ...base, name: 'tor', peerASN: 65000 }]);
    const routes = Array.from({ length: 10000 }, (_, i) => ({
      prefix: `198.18.${i >> 8}.${i & 255}/32`,
    }));
    speaker.setRoutes('tor', routes);
    const peer = await connect(1, 65000);
    const us = await collect(peer, u => announced(u).length >= 10000);
    expect(announced(us)).toHaveLength(10000);
    expect(us.length).toBeLessThan(20);
  });

  it('reports peers it cannot run, and exports metrics on the given registry', async () => {
    const registry = new Registry();
    // Where libc cannot be called (not Linux), a password cannot be honoured.
    const { speaker, connect } = harness(registry, {
      unavailable: 'not Linux',
    });
    current = speaker;
    await speaker.setPeers([
      { ...base, name: 'tor', peerASN: 65000 },
      {
        ...base,
        name: 'md5',
        peerASN: 65001,
        peerAddress: '192.0.2.2',
        password: 'x',
      },
    ]);
    speaker.setRoutes('*', [{ prefix: '203.0.113.5/32' }]);
    const peer = await connect(1, 65000);
    await collect(peer, u => announced(u).length >= 1);
    await speaker.settled();
    const byName = Object.fromEntries(speaker.status().map(s => [s.name, s]));
    expect(byName.md5).toMatchObject({ state: 'Disabled' });
    expect(byName.md5.lastError).toContain('TCP-MD5');
    expect(byName.md5.lastError).toContain('not Linux');
    const text = await registry.metrics();
    expect(text).toContain(
      'portico_bgp_session_up{peer="tor",peer_address="192.0.2.1"} 1',
    );
    expect(text).toContain(
      'portico_bgp_session_up{peer="md5",peer_address="192.0.2.2"} 0',
    );
    expect(text).toContain(
      'portico_bgp_announced_prefixes{peer="tor",peer_address="192.0.2.1"} 1',
    );
  });

  it('disables only the peer whose config is invalid, saying which field', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    await speaker.setPeers([
      { ...base, name: 'tor', peerASN: 65000 },
      { ...base, name: 'bad', peerASN: 65000, holdTime: 2 },
    ]);
    await connect(1, 65000);
    await waitFor(() => speaker.status()[0]?.state === 'Established');
    const bad = speaker.status().find(s => s.name === 'bad');
    expect(bad).toMatchObject({ state: 'Disabled' });
    expect(bad?.lastError).toBe(
      'invalid peer config: holdTime: hold time is 0 or 3..65535',
    );
  });

  it('keeps routes set before the peer is configured', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    speaker.setRoutes('tor', [{ prefix: '203.0.113.7/32' }]);
    await speaker.setPeers([{ ...base, name: 'tor', peerASN: 65000 }]);
    const peer = await connect(1, 65000);
    expect(
      announced(await collect(peer, u => announced(u).length >= 1)),
    ).toEqual(['203.0.113.7/32']);
  });

  it('drops a peer removed from the list with Cease', async () => {
    const { speaker, connect } = harness();
    current = speaker;
    await speaker.setPeers([{ ...base, name: 'tor', peerASN: 65000 }]);
    const peer = await connect(1, 65000);
    await waitFor(() => speaker.status()[0]?.state === 'Established');
    await speaker.setPeers([]);
    const n = await peer.expect('notification');
    expect([n.code, n.subcode]).toEqual([6, 2]);
  });
});
