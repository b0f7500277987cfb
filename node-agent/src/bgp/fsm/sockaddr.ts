import { isIPv4, isIPv6 } from 'node:net';
import { ipv4ToBytes, ipv6ToBytes } from '../codec/address';

/** Linux values (asm-generic), as the kernel's socket ABI defines them. */
export const AF_INET = 2;
export const AF_INET6 = 10;

/** sizeof(struct sockaddr_in) and sizeof(struct sockaddr_in6). */
export const SOCKADDR_IN_LEN = 16;
export const SOCKADDR_IN6_LEN = 28;

/** sizeof(struct tcp_md5sig) and TCP_MD5SIG_MAXKEYLEN (linux/tcp.h). */
export const TCP_MD5SIG_LEN = 216;
export const TCP_MD5SIG_MAXKEYLEN = 80;

/** Why `key` cannot be a TCP-MD5 key (too long for the kernel), if it cannot. */
export function tcpMd5KeyProblem(key: string): string | undefined {
  const bytes = Buffer.byteLength(key, 'utf8');
  return bytes > TCP_MD5SIG_MAXKEYLEN
    ? `the password is ${bytes} bytes; TCP-MD5 allows at most ${TCP_MD5SIG_MAXKEYLEN} bytes`
    : undefined;
}

/**
 * `struct sockaddr_in` / `struct sockaddr_in6` for an address and port, in a
 * socket of `family`. An IPv4 address in an AF_INET6 socket (a dual-stack
 * listener) is written IPv4-mapped, which is how the kernel keys it there.
 */
export function encodeSockaddr(
  address: string,
  port: number,
  family: number = isIPv4(address) ? AF_INET : AF_INET6,
): Buffer {
  if (family === AF_INET) {
    const b = Buffer.alloc(SOCKADDR_IN_LEN);
    writeHostU16(b, AF_INET, 0);
    b.writeUInt16BE(port, 2);
    ipv4ToBytes(address).copy(b, 4);
    return b;
  }
  const b = Buffer.alloc(SOCKADDR_IN6_LEN);
  writeHostU16(b, AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  // sin6_flowinfo (4..7) and sin6_scope_id (24..27) stay 0.
  const mapped = isIPv4(address) ? `::ffff:${address}` : address;
  if (!isIPv6(mapped)) throw new TypeError(`not an IP address: ${address}`);
  ipv6ToBytes(mapped).copy(b, 8);
  return b;
}

/**
 * `struct tcp_md5sig` (linux/tcp.h) adding `key` for segments from `address`;
 * an empty key removes it.
 *
 *   0   struct sockaddr_storage tcpm_addr  (128)
 *   128 u8  tcpm_flags                     (0: no prefix, no ifindex)
 *   129 u8  tcpm_prefixlen
 *   130 u16 tcpm_keylen
 *   132 u32 tcpm_ifindex
 *   136 u8  tcpm_key[80]
 */
export function encodeTcpMd5sig(
  address: string,
  key: string,
  family?: number,
): Buffer {
  const problem = tcpMd5KeyProblem(key);
  if (problem) throw new RangeError(problem);
  const keyBytes = Buffer.from(key, 'utf8');
  const b = Buffer.alloc(TCP_MD5SIG_LEN);
  encodeSockaddr(address, 0, family).copy(b, 0);
  writeHostU16(b, keyBytes.length, 130);
  keyBytes.copy(b, 136);
  return b;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** sa_family_t and tcpm_keylen are in host byte order; the port is not. */
function writeHostU16(b: Buffer, value: number, offset: number) {
  if (LITTLE_ENDIAN) b.writeUInt16LE(value, offset);
  else b.writeUInt16BE(value, offset);
}
