import { existsSync } from 'node:fs';
import { dialNative } from './dial';
import { AF_INET, AF_INET6 } from './sockaddr';
import { NativeSockets, nativeSockets } from './socketOptions';

// Only unconnected sockets here: nothing is sent. Connected sockets, keys and
// TTLs on the wire are covered in namespaces by interop/md5ttl.interop.test.ts.
const native = nativeSockets();
const describeLinux = native.sockets ? describe : describe.skip;

/** The real libc calls, recording which descriptors were opened and closed. */
function tracked(real: NativeSockets) {
  const opened: number[] = [];
  const closed: number[] = [];
  const sockets: NativeSockets = {
    ...real,
    open: family => {
      const fd = real.open(family);
      opened.push(fd);
      return fd;
    },
    close: fd => {
      closed.push(fd);
      real.close(fd);
    },
  };
  return { sockets, opened, closed };
}

describeLinux('socket options through libc', () => {
  const s = native.sockets!;

  it.each([
    [AF_INET, '192.0.2.1', 1],
    [AF_INET, '192.0.2.1', 255],
    [AF_INET6, '2001:db8::1', 1],
    [AF_INET6, '2001:db8::1', 255],
    // an IPv4 peer reached through a dual-stack (AF_INET6) socket
    [AF_INET6, '192.0.2.1', 1],
  ])(
    'sets and reads back the TTL (family %i, peer %s, %i)',
    (family, peer, ttl) => {
      const fd = s.open(family);
      try {
        s.setTtl(fd, peer, ttl);
        expect(s.getTtl(fd, peer)).toBe(ttl);
      } finally {
        s.close(fd);
      }
    },
  );

  it('accepts TCP-MD5 keys for IPv4, IPv6 and IPv4-mapped peers, and removes them', () => {
    const fd4 = s.open(AF_INET);
    const fd6 = s.open(AF_INET6);
    try {
      expect(() => s.setMd5Key(fd4, AF_INET, '192.0.2.1', 'k')).not.toThrow();
      expect(() => s.setMd5Key(fd4, AF_INET, '192.0.2.1', '')).not.toThrow();
      expect(() =>
        s.setMd5Key(fd6, AF_INET6, '2001:db8::1', 'k'),
      ).not.toThrow();
      expect(() => s.setMd5Key(fd6, AF_INET6, '192.0.2.1', 'k')).not.toThrow();
      // removing a key that is not there is an error from the kernel
      expect(() => s.setMd5Key(fd4, AF_INET, '192.0.2.9', '')).toThrow(
        /TCP_MD5SIG\) ENOENT/,
      );
    } finally {
      s.close(fd4);
      s.close(fd6);
    }
  });

  it('closes the descriptor when dialing fails before connecting', async () => {
    const t = tracked(s);
    // 192.0.2.77 is on no interface here, so bind fails; nothing is sent.
    await expect(
      dialNative(
        t.sockets,
        {
          host: '192.0.2.1',
          port: 179,
          localAddress: '192.0.2.77',
          md5Key: 'k',
          ttl: 1,
        },
        new AbortController().signal,
      ),
    ).rejects.toThrow(/bind EADDRNOTAVAIL/);
    expect(t.opened).toHaveLength(1);
    expect(t.closed).toEqual(t.opened);
    expect(existsSync(`/proc/self/fd/${t.opened[0]}`)).toBe(false);
  });

  it('opens nothing when the signal is already aborted', async () => {
    const t = tracked(s);
    const ac = new AbortController();
    ac.abort();
    await expect(
      dialNative(
        t.sockets,
        { host: '192.0.2.1', port: 179, ttl: 1 },
        ac.signal,
      ),
    ).rejects.toThrow('aborted');
    expect(t.opened).toHaveLength(0);
  });
});
