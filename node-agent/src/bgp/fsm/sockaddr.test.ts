import {
  AF_INET6,
  encodeSockaddr,
  encodeTcpMd5sig,
  TCP_MD5SIG_LEN,
} from './sockaddr';

const hex = (b: Buffer) => b.toString('hex');

describe('sockaddr and tcp_md5sig encoding (Linux, little-endian host)', () => {
  it('writes struct sockaddr_in: family host order, port big-endian', () => {
    expect(hex(encodeSockaddr('192.0.2.1', 179))).toBe(
      [
        '0200', // sin_family AF_INET
        '00b3', // sin_port 179
        'c0000201', // sin_addr
        '0000000000000000', // sin_zero
      ].join(''),
    );
  });

  it('writes struct sockaddr_in6', () => {
    expect(hex(encodeSockaddr('2001:db8::1', 179))).toBe(
      [
        '0a00', // sin6_family AF_INET6
        '00b3', // sin6_port
        '00000000', // sin6_flowinfo
        '20010db8000000000000000000000001', // sin6_addr
        '00000000', // sin6_scope_id
      ].join(''),
    );
  });

  it('maps an IPv4 address into sockaddr_in6 for a dual-stack socket', () => {
    const b = encodeSockaddr('192.0.2.1', 0, AF_INET6);
    expect(b).toHaveLength(28);
    expect(hex(b.subarray(8, 24))).toBe('00000000000000000000ffffc0000201');
  });

  it('lays out struct tcp_md5sig for IPv4', () => {
    const b = encodeTcpMd5sig('192.0.2.1', 'secret');
    expect(b).toHaveLength(TCP_MD5SIG_LEN);
    expect(TCP_MD5SIG_LEN).toBe(216);
    // tcpm_addr: sockaddr_in, port 0, rest of sockaddr_storage zero
    expect(hex(b.subarray(0, 8))).toBe('02000000c0000201');
    expect(b.subarray(8, 128).every(x => x === 0)).toBe(true);
    expect(b[128]).toBe(0); // tcpm_flags
    expect(b[129]).toBe(0); // tcpm_prefixlen
    expect(b.readUInt16LE(130)).toBe(6); // tcpm_keylen
    expect(b.readUInt32LE(132)).toBe(0); // tcpm_ifindex
    expect(b.subarray(136, 142).toString()).toBe('secret');
    expect(b.subarray(142).every(x => x === 0)).toBe(true);
  });

  it('lays out struct tcp_md5sig for IPv6', () => {
    const b = encodeTcpMd5sig('2001:db8::1', 'k');
    expect(hex(b.subarray(0, 28))).toBe(
      `0a00000000000000${'20010db8000000000000000000000001'}00000000`,
    );
    expect(b.subarray(28, 128).every(x => x === 0)).toBe(true);
    expect(b.readUInt16LE(130)).toBe(1);
    expect(b[136]).toBe('k'.charCodeAt(0));
  });

  it('removes a key with keylen 0 and limits keys to 80 bytes', () => {
    expect(encodeTcpMd5sig('192.0.2.1', '').readUInt16LE(130)).toBe(0);
    const max = encodeTcpMd5sig('192.0.2.1', 'x'.repeat(80));
    expect(max.readUInt16LE(130)).toBe(80);
    expect(max.subarray(136, 216).toString()).toBe('x'.repeat(80));
    expect(() => encodeTcpMd5sig('192.0.2.1', 'x'.repeat(81))).toThrow(
      RangeError,
    );
  });

  it('counts the key in UTF-8 bytes', () => {
    expect(encodeTcpMd5sig('192.0.2.1', 'é').readUInt16LE(130)).toBe(2);
  });
});
