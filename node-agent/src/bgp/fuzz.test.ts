import fc from 'fast-check';
import {
  BgpError,
  decodeMessage,
  encodeUpdate,
  MessageSplitter,
  packAnnouncements,
} from './codec';
import { ROUTER_MESSAGES } from './codec/fixtures/routers';
import { BgpSession } from './fsm/session';
import { duplexPair } from './testing/duplexPair';
import { ScriptedPeer } from './testing/scriptedPeer';

/** Valid messages to mutate: captured ones and a packed UPDATE of ours. */
const seeds: Buffer[] = [
  ...ROUTER_MESSAGES.map(([, , hex]) => Buffer.from(hex, 'hex')),
  ...packAnnouncements(
    'ipv4',
    ['203.0.113.1/32', '198.18.0.0/15'],
    {
      origin: 0,
      asPath: [{ type: 2, asns: [64512] }],
      nextHop: '192.0.2.1',
      communities: ['65000:1'],
      largeCommunities: ['1:2:3'],
    },
    { fourOctetAs: true },
  ),
  encodeUpdate(
    {
      withdrawn: [],
      attributes: {
        mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] },
      },
      nlri: [],
    },
    { fourOctetAs: true },
  ),
];

/** A header that frames `body` correctly, so the fuzzer reaches the decoders. */
function framed(type: number, body: Uint8Array): Buffer {
  const b = Buffer.alloc(19 + body.length, 0xff);
  b.writeUInt16BE(Math.min(19 + body.length, 0xffff), 16);
  b[18] = type;
  Buffer.from(body).copy(b, 19);
  return b;
}

const mutated = fc
  .record({
    seed: fc.constantFrom(...seeds),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    }),
    cut: fc.option(fc.nat()),
  })
  .map(({ seed, edits, cut }) => {
    const b = Buffer.from(seed);
    // Keep the marker and length intact so mutations land in the body.
    for (const [at, v] of edits) b[19 + (at % Math.max(1, b.length - 19))] = v;
    const end =
      cut === null ? b.length : 19 + (cut % Math.max(1, b.length - 18));
    const out = b.subarray(0, Math.min(end, b.length));
    if (out.length >= 19) out.writeUInt16BE(out.length, 16);
    return Buffer.from(out);
  });

const message = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map(a => Buffer.from(a)),
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 200 }))
    .map(([t, body]) => framed(t, body)),
  mutated,
);

describe('fuzzing', () => {
  it('the decoder never throws: a message or the BgpError to send back', () => {
    fc.assert(
      fc.property(message, fc.boolean(), (buf, four) => {
        const r = decodeMessage(buf, { fourOctetAs: four, external: four });
        const sound =
          r.ok ||
          (r.error instanceof BgpError &&
            r.error.code >= 1 &&
            r.error.code <= 7);
        expect(sound).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('the stream splitter only ever fails with a BgpError', () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 5 }),
        fc.nat(40),
        (msgs, chunk) => {
          const s = new MessageSplitter();
          const stream = Buffer.concat(msgs);
          const step = chunk + 1;
          let failure: unknown = undefined;
          try {
            for (let i = 0; i < stream.length; i += step) {
              s.push(stream.subarray(i, i + step));
            }
          } catch (e) {
            failure = e;
          }
          expect(failure === undefined || failure instanceof BgpError).toBe(
            true,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('an Established session answers garbage with a NOTIFICATION or keeps going, never hangs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 4 }),
        async msgs => {
          const [ours, theirs] = duplexPair();
          const peer = new ScriptedPeer(theirs);
          const session = new BgpSession({
            localAsn: 64512,
            peerAsn: 65000,
            routerId: '192.0.2.10',
            peerAddress: '192.0.2.1',
            passive: true,
            holdTime: 30,
          });
          session.start();
          session.acceptIncoming(ours);
          try {
            await peer.expect('open');
            peer.sendOpen({ asn: 65000, routerId: '192.0.2.1' });
            await peer.expect('keepalive');
            peer.sendKeepalive();
            for (const m of msgs) peer.send(m);
            await new Promise(r => setTimeout(r, 15));
            // It objected with a NOTIFICATION and closed, closed after the
            // peer's own NOTIFICATION, or is still up: anything else is a defect.
            let outcome = 'stuck';
            if (peer.received.some(m => m.type === 'notification')) {
              outcome = (await peer.waitEnded(1000))
                ? 'ok'
                : 'notified, still open';
            } else if (
              session.state === 'Established' ||
              (await peer.waitEnded(200))
            ) {
              outcome = 'ok';
            }
            expect(outcome).toBe('ok');
          } finally {
            await session.stop();
            peer.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60000);

  it('a session waiting for OPEN answers garbage with a NOTIFICATION, a close, or more waiting', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 3 }),
        async msgs => {
          const [ours, theirs] = duplexPair();
          const peer = new ScriptedPeer(theirs);
          const session = new BgpSession({
            localAsn: 64512,
            peerAsn: 65000,
            routerId: '192.0.2.10',
            peerAddress: '192.0.2.1',
            passive: true,
          });
          session.start();
          session.acceptIncoming(ours);
          try {
            await peer.expect('open');
            for (const m of msgs) peer.send(m);
            await new Promise(r => setTimeout(r, 15));
            let outcome = 'stuck';
            if (peer.received.some(m => m.type === 'notification')) {
              outcome = (await peer.waitEnded(1000))
                ? 'ok'
                : 'notified, still open';
            } else if (
              ['OpenSent', 'OpenConfirm', 'Established'].includes(
                session.state,
              ) ||
              (await peer.waitEnded(200))
            ) {
              outcome = 'ok';
            }
            expect(outcome).toBe('ok');
          } finally {
            await session.stop();
            peer.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 60000);
});
