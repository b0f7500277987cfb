import {
  decodeFrame,
  gratuitousArp,
  unsolicitedNeighborAdvertisement,
} from '../codec/frame';
import {
  ARP_PROBE_FROM_ARPING,
  ARP_REQUEST_FROM_ARPING,
  NS_FROM_NDISC6,
} from '../codec/captures';
import { decideFrame, InterfaceView } from './frameDecision';

const OURS = '02:00:00:00:00:0a';
const PEER = '02:00:00:00:00:0b';
const STRANGER = '02:00:00:00:00:99';

function view(state: {
  announcing?: string[];
  watching?: string[];
}): InterfaceView {
  return {
    mac: OURS,
    isAnnouncing: address => state.announcing?.includes(address) ?? false,
    isWatching: address =>
      (state.watching?.includes(address) ||
        state.announcing?.includes(address)) ??
      false,
    isPeerMac: mac => mac === PEER,
  };
}

function frame(bytes: Buffer) {
  const decoded = decodeFrame(bytes);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value;
}

describe('decideFrame', () => {
  it('answers ARP requests only for addresses it announces', () => {
    const request = frame(ARP_REQUEST_FROM_ARPING);
    const answer = decideFrame(request, view({ announcing: ['192.0.2.1'] }));
    expect(answer).toMatchObject({ action: 'answer', address: '192.0.2.1' });
    if (answer.action !== 'answer') return;
    expect(frame(answer.reply)).toMatchObject({
      arp: {
        operation: 'reply',
        senderMac: OURS,
        senderIp: '192.0.2.1',
        targetIp: '192.0.2.2',
      },
    });
    expect(
      decideFrame(request, view({ watching: ['192.0.2.1'] })),
    ).toMatchObject({
      action: 'ignore',
    });
  });

  it('answers neighbor solicitations for announced IPv6 addresses to the asker', () => {
    const decision = decideFrame(
      frame(NS_FROM_NDISC6),
      view({ announcing: ['2001:db8::1'] }),
    );
    expect(decision).toMatchObject({ action: 'answer' });
    if (decision.action !== 'answer') return;
    expect(frame(decision.reply)).toMatchObject({
      ipDestination: 'fe80::f4eb:22ff:fe03:82a3',
      ndp: {
        type: 'neighbor-advertisement',
        solicited: true,
        target: '2001:db8::1',
      },
    });
  });

  it('defends an announced address against a stranger probing it (RFC 5227 §2.4)', () => {
    const decision = decideFrame(
      frame(ARP_PROBE_FROM_ARPING),
      view({ announcing: ['192.0.2.1'] }),
    );
    expect(decision).toMatchObject({ action: 'answer' });
  });

  it('reports a stranger probing an address we are probing', () => {
    expect(
      decideFrame(
        frame(ARP_PROBE_FROM_ARPING),
        view({ watching: ['192.0.2.1'] }),
      ),
    ).toEqual({
      action: 'foreign-claim',
      address: '192.0.2.1',
      mac: 'f6:eb:22:03:82:a3',
      how: 'probe',
    });
  });

  it('reports a stranger announcing a watched address, over ARP and NDP', () => {
    const [garp] = gratuitousArp(STRANGER, '192.0.2.50');
    expect(
      decideFrame(frame(garp), view({ announcing: ['192.0.2.50'] })),
    ).toEqual({
      action: 'foreign-claim',
      address: '192.0.2.50',
      mac: STRANGER,
      how: 'arp request',
    });
    const na = unsolicitedNeighborAdvertisement(STRANGER, '2001:db8::50');
    expect(
      decideFrame(frame(na), view({ watching: ['2001:db8::50'] })),
    ).toMatchObject({
      action: 'foreign-claim',
      mac: STRANGER,
      how: 'neighbor advertisement',
    });
  });

  it('does not treat another agent of the cluster, or itself, as a conflict', () => {
    const [peerGarp] = gratuitousArp(PEER, '192.0.2.50');
    // Announcing: the peer's view is stale or ours is; the caller re-asserts.
    expect(
      decideFrame(frame(peerGarp), view({ announcing: ['192.0.2.50'] })),
    ).toEqual({ action: 'peer-claim', address: '192.0.2.50', mac: PEER });
    // Probing: the current owner answering our probe is expected.
    expect(
      decideFrame(frame(peerGarp), view({ watching: ['192.0.2.50'] })),
    ).toMatchObject({ action: 'ignore' });
    const [own] = gratuitousArp(OURS, '192.0.2.50');
    expect(
      decideFrame(frame(own), view({ announcing: ['192.0.2.50'] })),
    ).toEqual({
      action: 'ignore',
      reason: 'our own frame',
    });
  });

  it('ignores claims on addresses it neither probes nor announces', () => {
    const [garp] = gratuitousArp(STRANGER, '192.0.2.77');
    expect(
      decideFrame(frame(garp), view({ announcing: ['192.0.2.50'] })),
    ).toMatchObject({
      action: 'ignore',
    });
  });
});
