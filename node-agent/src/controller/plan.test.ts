import type { V1Service } from '@kubernetes/client-node';
import { buildSnapshot, RawCluster } from '../kube/snapshot';
import { grantConditionUpdates } from './grantStatus';
import { planReconcile } from './plan';

// Pure: addresses are data only.
const svc = (name: string, extra: Partial<V1Service> = {}): V1Service => ({
  metadata: {
    name,
    namespace: 'apps',
    uid: `uid-${name}`,
    creationTimestamp: new Date(`2026-01-01T00:00:0${name.length % 10}Z`),
  },
  spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
  ...extra,
});
const raw = (extra: Partial<RawCluster>): RawCluster => ({
  services: [],
  endpointSlices: [],
  nodes: [],
  namespaces: [],
  leases: [],
  grants: [],
  pools: [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'prod', namespace: 'metallb-system' },
      spec: { addresses: ['192.0.2.10-192.0.2.19'] },
    },
  ],
  l2Advertisements: [],
  bgpAdvertisements: [],
  peers: [],
  ...extra,
});
const grant = (
  name: string,
  service: string,
  addresses: string[],
  expiresAt?: string,
) => ({
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'ExposureGrant',
  metadata: { name, uid: `uid-${name}`, generation: 1 },
  spec: {
    service: { namespace: 'apps', name: service },
    addresses,
    pool: 'prod',
    requestId: 'r-1',
    owner: 'group:default/edge',
    expiresAt,
  },
});
const now = new Date('2026-06-01T00:00:00Z');
const options = {
  mode: 'enforce' as const,
  loadBalancerClass: 'portico.dev/load-balancer',
  portalUrl: 'https://portal.example/exposure',
  now,
};

describe('planReconcile', () => {
  it('writes granted addresses once, and nothing when the status already matches', () => {
    const g = grant('web-grant', 'web', ['192.0.2.12']);
    const plan = planReconcile(
      buildSnapshot(raw({ services: [svc('web')], grants: [g] })),
      options,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'web', addresses: ['192.0.2.12'] },
    ]);
    expect(plan.events.map(e => e.reason)).toEqual(['AddressAssigned']);

    const settled = svc('web', {
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.12' }] } },
    });
    const again = planReconcile(
      buildSnapshot(raw({ services: [settled], grants: [g] })),
      options,
    );
    expect(again.writes).toEqual([]);
    expect(again.events).toEqual([]);
    expect(again.summary.assigned).toBe(1);
  });

  it('clears an address whose grant is gone, and tells how to request one, with the portal link', () => {
    const holding = svc('web', {
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.12' }] } },
    });
    // It was granted: GRANTED_ANNOTATION says so, so no grace period applies.
    holding.metadata!.annotations = { 'portico.dev/granted-by': 'web-grant' };
    const plan = planReconcile(
      buildSnapshot(raw({ services: [holding] })),
      options,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'web', addresses: [] },
    ]);
    expect(plan.events.map(e => [e.type, e.reason])).toEqual([
      ['Warning', 'AddressReleased'],
      ['Warning', 'NotGranted'],
    ]);
    expect(plan.events[1].message).toContain('https://portal.example/exposure');
    expect(plan.summary.pending.get('NotGranted')).toBe(1);
  });

  it('schedules a re-run at the next grant expiry', () => {
    const g = grant('web-grant', 'web', ['192.0.2.12'], '2026-06-01T01:00:00Z');
    const plan = planReconcile(
      buildSnapshot(raw({ services: [svc('web')], grants: [g] })),
      options,
    );
    expect(plan.nextExpiryMs).toBe(Date.parse('2026-06-01T01:00:00Z'));
  });

  it('takes our address back from a Service that is no longer a LoadBalancer', () => {
    const former = svc('web', {
      spec: { type: 'ClusterIP' },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.12' }] } },
    });
    const plan = planReconcile(
      buildSnapshot(raw({ services: [former] })),
      options,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'web', addresses: [] },
    ]);
  });

  it('reports invalid MetalLB objects as Warning Events on them', () => {
    const plan = planReconcile(
      buildSnapshot(
        raw({
          pools: [
            {
              apiVersion: 'metallb.io/v1beta1',
              kind: 'IPAddressPool',
              metadata: {
                name: 'bad',
                namespace: 'metallb-system',
                uid: 'uid-bad',
              },
              spec: { addresses: ['not-an-address'] },
            },
          ],
        }),
      ),
      options,
    );
    expect(plan.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'InvalidConfiguration',
        ref: expect.objectContaining({
          kind: 'IPAddressPool',
          name: 'bad',
          uid: 'uid-bad',
        }),
      }),
    ]);
  });
});

describe('grantConditionUpdates', () => {
  it('marks each grant Assigned or not, and only when that changes', () => {
    const snapshot = buildSnapshot(
      raw({
        services: [svc('web')],
        grants: [
          grant('web-grant', 'web', ['192.0.2.12']),
          grant('gone-grant', 'gone', ['192.0.2.13']),
        ],
      }),
    );
    const plan = planReconcile(snapshot, options);
    const updates = grantConditionUpdates(snapshot.grants, plan.decisions, now);
    expect(
      updates.map(u => [u.grant, u.condition.status, u.condition.reason]),
    ).toEqual([
      ['web-grant', 'True', 'AddressAssigned'],
      ['gone-grant', 'False', 'ServiceNotFound'],
    ]);
    const written = snapshot.grants.map(g => ({
      ...g,
      assigned: updates.find(u => u.grant === g.name)!.condition,
    }));
    expect(grantConditionUpdates(written, plan.decisions, now)).toEqual([]);
  });
});
