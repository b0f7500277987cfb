/**
 * Frames captured on this project's test bridge with
 * `tcpdump -i eth0 -n -xx -e 'arp or icmp6'` (tcpdump 4.99, Linux 6.x kernels as
 * the answering side, Thomas Habets' arping 2.23 and ndisc6 1.0.7 as the asking
 * side), 2026-11-25. Addresses are TEST-NET (192.0.2.0/24, 2001:db8::/32).
 * Host A: 5e:9a:42:48:b7:81 (192.0.2.1, 2001:db8::1); host B: f6:eb:22:03:82:a3.
 */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** `arping -I eth0 192.0.2.1` from B: who-has 192.0.2.1 tell 192.0.2.2 (58 bytes, padded). */
export const ARP_REQUEST_FROM_ARPING = hex(`
  ffff ffff ffff f6eb 2203 82a3 0806 0001
  0800 0604 0001 f6eb 2203 82a3 c000 0202
  0000 0000 0000 c000 0201 0000 0000 0000
  0000 0000 0000 0000 0000`);

/** Linux kernel reply from A: 192.0.2.1 is-at 5e:9a:42:48:b7:81 (42 bytes, unpadded on capture). */
export const ARP_REPLY_FROM_LINUX = hex(`
  f6eb 2203 82a3 5e9a 4248 b781 0806 0001
  0800 0604 0002 5e9a 4248 b781 c000 0201
  f6eb 2203 82a3 c000 0202`);

/** `arping -0`: RFC 5227 probe, who-has 192.0.2.1 tell 0.0.0.0. */
export const ARP_PROBE_FROM_ARPING = hex(`
  ffff ffff ffff f6eb 2203 82a3 0806 0001
  0800 0604 0001 f6eb 2203 82a3 0000 0000
  0000 0000 0000 c000 0201 0000 0000 0000
  0000 0000 0000 0000 0000`);

/** Linux kernel answer to that probe (target IP 0.0.0.0). */
export const ARP_PROBE_REPLY_FROM_LINUX = hex(`
  f6eb 2203 82a3 5e9a 4248 b781 0806 0001
  0800 0604 0002 5e9a 4248 b781 c000 0201
  f6eb 2203 82a3 0000 0000`);

/** `ndisc6 -1 2001:db8::1 eth0`: NS from B's link-local with a source link-layer option. */
export const NS_FROM_NDISC6 = hex(`
  3333 ff00 0001 f6eb 2203 82a3 86dd 6000
  f546 0020 3aff fe80 0000 0000 0000 f4eb
  22ff fe03 82a3 ff02 0000 0000 0000 0000
  0001 ff00 0001 8700 193e 0000 0000 2001
  0db8 0000 0000 0000 0000 0000 0001 0101
  f6eb 2203 82a3`);

/** Linux kernel NA from A: solicited + override, target link-layer option. */
export const NA_FROM_LINUX = hex(`
  f6eb 2203 82a3 5e9a 4248 b781 86dd 6000
  0000 0020 3aff 2001 0db8 0000 0000 0000
  0000 0000 0001 fe80 0000 0000 0000 f4eb
  22ff fe03 82a3 8800 cab7 6000 0000 2001
  0db8 0000 0000 0000 0000 0000 0001 0201
  5e9a 4248 b781`);

/** Linux kernel DAD NS for its link-local address: from ::, with a nonce option (RFC 7527, type 14). */
export const DAD_NS_FROM_LINUX = hex(`
  3333 ff03 82a3 f6eb 2203 82a3 86dd 6000
  0000 0020 3aff 0000 0000 0000 0000 0000
  0000 0000 0000 ff02 0000 0000 0000 0000
  0001 ff03 82a3 8700 d3db 0000 0000 fe80
  0000 0000 0000 f4eb 22ff fe03 82a3 0e01
  42ec 74f3 c729`);

/** Router solicitation: ICMPv6 that is neither NS nor NA. */
export const ROUTER_SOLICITATION = hex(`
  3333 0000 0002 5e9a 4248 b781 86dd 6000
  0000 0010 3aff fe80 0000 0000 0000 5c9a
  42ff fe48 b781 ff02 0000 0000 0000 0000
  0000 0000 0002 8500 ce65 0000 0000 0101
  5e9a 4248 b781`);
