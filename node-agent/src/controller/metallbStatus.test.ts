import type { V1Service } from '@kubernetes/client-node';
import { parseMetalLBConfig } from '../kube/metallbConfig';
import { configurationStateStatus, poolStatuses } from './metallbStatus';

const pool = (name: string, spec: object) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system' },
  spec,
});
const svc = (name: string, ips: string[]): V1Service => ({
  metadata: { name, namespace: 'apps' },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: ips.map(ip => ({ ip })) } },
});

describe('poolStatuses', () => {
  const config = parseMetalLBConfig({
    pools: [
      pool('v4', { addresses: ['192.0.2.0/28', '192.0.2.100-192.0.2.101'] }),
      pool('buggy', {
        addresses: ['198.51.100.250-198.51.101.5'],
        avoidBuggyIPs: true,
      }),
      pool('dual', { addresses: ['203.0.113.0/30', '2001:db8::/120'] }),
      pool('huge', { addresses: ['2001:db8:1::/64'] }),
    ],
    l2Advertisements: [],
    bgpAdvertisements: [],
    peers: [],
  });

  it('counts assigned addresses per family (shared ones once) and what is left', () => {
    const status = poolStatuses(config.pools, [
      svc('a', ['192.0.2.1']),
      svc('b', ['192.0.2.1']), // allow-shared-ip: one address
      svc('c', ['192.0.2.100']),
      svc('d', ['203.0.113.1', '2001:db8::5']),
      svc('e', ['198.18.0.1']), // in no pool
    ]);
    expect(status.get('v4')).toEqual({
      assignedIPv4: 2,
      assignedIPv6: 0,
      availableIPv4: 16,
      availableIPv6: 0,
    });
    expect(status.get('dual')).toEqual({
      assignedIPv4: 1,
      assignedIPv6: 1,
      availableIPv4: 3,
      availableIPv6: 255,
    });
  });

  it('leaves .0 and .255 out with avoidBuggyIPs, and caps IPv6 counts at 2^53 - 1', () => {
    const status = poolStatuses(config.pools, []);
    // 198.51.100.250 … 198.51.101.5 is 12 addresses, of which .255 and .0 are skipped.
    expect(status.get('buggy')?.availableIPv4).toBe(10);
    expect(status.get('huge')?.availableIPv6).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('configurationStateStatus', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('is Valid with no problems, Invalid with a summary naming each object otherwise', () => {
    expect(configurationStateStatus([], now)).toMatchObject({
      result: 'Valid',
      errorSummary: '',
      conditions: [{ type: 'ConfigurationValid', status: 'True' }],
    });
    const invalid = configurationStateStatus(
      [
        {
          ref: {
            apiVersion: 'metallb.io/v1beta2',
            kind: 'BGPPeer',
            namespace: 'm',
            name: 'p',
          },
          message: 'spec.vrf ("red") is not supported',
        },
      ],
      now,
    );
    expect(invalid).toMatchObject({
      result: 'Invalid',
      errorSummary: 'BGPPeer m/p: spec.vrf ("red") is not supported',
      conditions: [{ status: 'False', reason: 'InvalidObjects' }],
    });
  });
});
