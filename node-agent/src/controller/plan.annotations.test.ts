import type { V1Service } from '@kubernetes/client-node';
import { buildSnapshot, RawCluster } from '../kube/snapshot';
import { planReconcile } from './plan';

// Pure: addresses are data only.
const svc = (
  name: string,
  annotations: Record<string, string> = {},
  extra: Partial<V1Service> = {},
): V1Service => ({
  metadata: { name, namespace: 'apps', uid: `uid-${name}`, annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
  ...extra,
});
const pool = (name: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system' },
  spec: { addresses },
});
const raw = (services: V1Service[]): RawCluster => ({
  services,
  endpointSlices: [],
  nodes: [],
  namespaces: [],
  leases: [],
  grants: [],
  pools: [
    pool('prod', ['192.0.2.10-192.0.2.19']),
    pool('lab', ['198.51.100.0/30']),
  ],
  l2Advertisements: [],
  bgpAdvertisements: [],
  peers: [],
});
const options = {
  mode: 'audit' as const,
  loadBalancerClass: 'portico.dev/load-balancer',
  now: new Date('2026-06-01T00:00:00Z'),
};

describe('planReconcile and MetalLB annotations', () => {
  it('reads metallb.io/* first and writes metallb.io/ip-allocated-from-pool', () => {
    const plan = planReconcile(
      buildSnapshot(
        raw([
          svc('new', { 'metallb.io/address-pool': 'lab' }),
          svc('ips', { 'metallb.io/loadBalancerIPs': '192.0.2.15' }),
        ]),
      ),
      options,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'new', addresses: ['198.51.100.0'] },
      { namespace: 'apps', name: 'ips', addresses: ['192.0.2.15'] },
    ]);
    expect(plan.annotationWrites).toEqual([
      {
        namespace: 'apps',
        name: 'new',
        annotations: { 'metallb.io/ip-allocated-from-pool': 'lab' },
      },
      {
        namespace: 'apps',
        name: 'ips',
        annotations: { 'metallb.io/ip-allocated-from-pool': 'prod' },
      },
    ]);
    expect(plan.events.map(e => e.reason)).not.toContain(
      'DeprecatedAnnotation',
    );
  });

  it('still reads metallb.universe.tf/*, with a deprecation Event naming the new key', () => {
    const plan = planReconcile(
      buildSnapshot(
        raw([
          svc('old', {
            'metallb.universe.tf/address-pool': 'lab',
            'metallb.universe.tf/allow-shared-ip': 'k',
          }),
        ]),
      ),
      options,
    );
    expect(plan.writes[0].addresses).toEqual(['198.51.100.0']);
    const deprecation = plan.events.find(
      e => e.reason === 'DeprecatedAnnotation',
    );
    expect(deprecation).toMatchObject({
      type: 'Warning',
      ref: { kind: 'Service', name: 'old' },
    });
    expect(deprecation!.message).toBe(
      'metallb.universe.tf/address-pool, metallb.universe.tf/allow-shared-ip are deprecated (still read): use metallb.io/address-pool, metallb.io/allow-shared-ip',
    );
  });

  it('leaves a correct annotation alone and removes it when the address goes', () => {
    const settled = svc(
      'web',
      {
        'metallb.io/ip-allocated-from-pool': 'prod',
        // It had a grant, since deleted: enforce removes the address at once.
        'portico.dev/granted-by': 'web-grant',
      },
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } },
    );
    expect(
      planReconcile(buildSnapshot(raw([settled])), options).annotationWrites,
    ).toEqual([]);
    const enforce = planReconcile(buildSnapshot(raw([settled])), {
      ...options,
      mode: 'enforce',
    });
    expect(enforce.writes).toEqual([
      { namespace: 'apps', name: 'web', addresses: [] },
    ]);
    expect(enforce.annotationWrites).toEqual([
      {
        namespace: 'apps',
        name: 'web',
        annotations: {
          'metallb.io/ip-allocated-from-pool': null,
          'portico.dev/granted-by': null,
        },
      },
    ]);
    const wrong = svc(
      'moved',
      { 'metallb.io/ip-allocated-from-pool': 'lab' },
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } } },
    );
    expect(
      planReconcile(buildSnapshot(raw([wrong])), options).annotationWrites,
    ).toEqual([
      {
        namespace: 'apps',
        name: 'moved',
        annotations: { 'metallb.io/ip-allocated-from-pool': 'prod' },
      },
    ]);
  });
});
