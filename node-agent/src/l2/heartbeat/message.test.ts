import { createHmac } from 'crypto';
import fc from 'fast-check';
import { decodeHeartbeat, encodeHeartbeat, Heartbeat } from './message';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const BEAT: Heartbeat = {
  node: 'node-a',
  incarnation: 1764000000000,
  sequence: 7,
  sentAt: 1764000000700,
  ready: true,
  leaving: false,
  macs: ['02:00:00:00:00:0a'],
};

describe('heartbeat message', () => {
  it('round-trips with the shared key', () => {
    expect(decodeHeartbeat(encodeHeartbeat(BEAT, KEY), KEY)).toEqual({
      ok: true,
      value: BEAT,
    });
  });

  it('refuses a beat signed with another key', () => {
    const forged = encodeHeartbeat(
      BEAT,
      Buffer.from('another key of 16+ bytes'),
    );
    expect(decodeHeartbeat(forged, KEY)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('refuses a beat altered in flight', () => {
    const datagram = encodeHeartbeat(BEAT, KEY);
    const altered = Buffer.from(
      datagram.toString('latin1').replace('"ready":true', '"ready":!!!!'),
      'latin1',
    );
    expect(altered.equals(datagram)).toBe(false);
    expect(decodeHeartbeat(altered, KEY)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('refuses a correctly signed body with unexpected fields', () => {
    const body = Buffer.from(JSON.stringify({ ...BEAT, extra: 1 }));
    const head = Buffer.concat([Buffer.from('PL2B'), Buffer.from([1])]);
    const mac = createHmac('sha256', KEY).update(head).update(body).digest();
    const result = decodeHeartbeat(Buffer.concat([head, mac, body]), KEY);
    expect(result.ok).toBe(false);
  });

  it('never throws on arbitrary datagrams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), bytes => {
        const prefixed = Buffer.concat([
          Buffer.from('PL2B\x01'),
          Buffer.from(bytes),
        ]);
        expect(decodeHeartbeat(prefixed, KEY).ok).toBe(false);
        expect(decodeHeartbeat(Buffer.from(bytes), KEY).ok).toBe(false);
      }),
    );
  });

  it('carries the owned addresses in version 2 and leaves them out of version 1', () => {
    const owning = { ...BEAT, owns: ['192.0.2.50', '2001:db8::50'] };
    const v2 = encodeHeartbeat(owning, KEY);
    expect(v2[4]).toBe(2);
    expect(decodeHeartbeat(v2, KEY)).toEqual({ ok: true, value: owning });
    const v1 = encodeHeartbeat(owning, KEY, 1);
    expect(v1[4]).toBe(1);
    // Exactly the body an agent of the version-1 release accepts (strict schema).
    expect(Object.keys(JSON.parse(v1.subarray(37).toString()))).toEqual(
      Object.keys(BEAT),
    );
    expect(decodeHeartbeat(v1, KEY)).toEqual({ ok: true, value: BEAT });
  });

  it('understands a beat of the version-1 release: claims unknown', () => {
    // Built by hand as that release did: PL2B, 1, HMAC over magic+version+body.
    const body = Buffer.from(JSON.stringify(BEAT));
    const head = Buffer.concat([Buffer.from('PL2B'), Buffer.from([1])]);
    const mac = createHmac('sha256', KEY).update(head).update(body).digest();
    const decoded = decodeHeartbeat(Buffer.concat([head, mac, body]), KEY);
    expect(decoded).toEqual({ ok: true, value: BEAT });
    expect(decoded.ok && decoded.value.owns).toBeUndefined();
  });
});
