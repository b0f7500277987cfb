import type { V1Service } from '@kubernetes/client-node';
import { desiredServiceStatuses } from './metallbServiceStatus';

const svc = (name: string, ips: string[]): V1Service => ({
  metadata: { name, namespace: 'apps' },
  status: { loadBalancer: { ingress: ips.map(ip => ({ ip })) } },
});
const vip = (address: string, announcing: boolean, interfaces: string[]) => ({
  address,
  owner: announcing ? 'n1' : 'n2',
  announcing,
  state: 'clear' as const,
  interfaces,
});

describe('desiredServiceStatuses', () => {
  it('lists the Services this node answers for (L2) and advertises to which peers (BGP)', () => {
    const out = desiredServiceStatuses(
      [
        svc('web', ['192.0.2.1']),
        svc('other-node', ['192.0.2.2']),
        svc('bgp', ['203.0.113.9', '2001:db8::9']),
        svc('none', []),
      ],
      {
        node: 'n1',
        ready: true,
        linkUp: true,
        healthyNodes: ['n1', 'n2'],
        vips: [
          vip('192.0.2.1', true, ['eth1', 'eth0']),
          vip('192.0.2.2', false, ['eth0']),
        ],
        failovers: [],
        conflicts: [],
      },
      new Map([
        [
          'tor-b',
          [{ prefix: '203.0.113.0/24', communities: [], largeCommunities: [] }],
        ],
        [
          'tor-a',
          [
            {
              prefix: '2001:db8::9/128',
              communities: [],
              largeCommunities: [],
            },
          ],
        ],
        ['idle', []],
      ]),
    );
    expect(out.l2).toEqual([
      {
        serviceNamespace: 'apps',
        serviceName: 'web',
        interfaces: [{ name: 'eth0' }, { name: 'eth1' }],
      },
    ]);
    expect(out.bgp).toEqual([
      {
        serviceNamespace: 'apps',
        serviceName: 'bgp',
        peers: ['tor-a', 'tor-b'],
      },
    ]);
  });
});
