import { decodeArp, encodeArp } from './arp';
import {
  ARP_PROBE_FROM_ARPING,
  ARP_PROBE_REPLY_FROM_LINUX,
  ARP_REPLY_FROM_LINUX,
  ARP_REQUEST_FROM_ARPING,
} from './captures';

const ethernetPayload = (frame: Buffer) => frame.subarray(14);

describe('ARP codec', () => {
  it('decodes a request captured from arping', () => {
    expect(decodeArp(ethernetPayload(ARP_REQUEST_FROM_ARPING))).toEqual({
      ok: true,
      value: {
        operation: 'request',
        senderMac: 'f6:eb:22:03:82:a3',
        senderIp: '192.0.2.2',
        targetMac: '00:00:00:00:00:00',
        targetIp: '192.0.2.1',
      },
    });
  });

  it('decodes the Linux reply and the reply to an RFC 5227 probe', () => {
    const reply = decodeArp(ethernetPayload(ARP_REPLY_FROM_LINUX));
    expect(reply).toMatchObject({
      ok: true,
      value: {
        operation: 'reply',
        senderMac: '5e:9a:42:48:b7:81',
        senderIp: '192.0.2.1',
      },
    });
    const probeReply = decodeArp(ethernetPayload(ARP_PROBE_REPLY_FROM_LINUX));
    expect(probeReply).toMatchObject({
      ok: true,
      value: { operation: 'reply', senderIp: '192.0.2.1', targetIp: '0.0.0.0' },
    });
  });

  it('re-encodes captured packets byte for byte', () => {
    for (const frame of [
      ARP_REQUEST_FROM_ARPING,
      ARP_REPLY_FROM_LINUX,
      ARP_PROBE_FROM_ARPING,
      ARP_PROBE_REPLY_FROM_LINUX,
    ]) {
      const payload = ethernetPayload(frame).subarray(0, 28);
      const decoded = decodeArp(payload);
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(encodeArp(decoded.value).equals(payload)).toBe(true);
    }
  });

  it('rejects malformed packets without throwing', () => {
    const good = ethernetPayload(ARP_REQUEST_FROM_ARPING);
    expect(decodeArp(good.subarray(0, 27))).toMatchObject({ ok: false });
    const tokenRing = Buffer.from(good);
    tokenRing.writeUInt16BE(6, 0); // hardware type IEEE 802
    expect(decodeArp(tokenRing)).toMatchObject({
      ok: false,
      reason: 'not ethernet/ipv4 arp',
    });
    const rarp = Buffer.from(good);
    rarp.writeUInt16BE(3, 6); // operation 3: RARP request
    expect(decodeArp(rarp)).toMatchObject({ ok: false });
    const badLengths = Buffer.from(good);
    badLengths[5] = 16; // protocol address length of IPv6
    expect(decodeArp(badLengths)).toMatchObject({ ok: false });
  });
});
