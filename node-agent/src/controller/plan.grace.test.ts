import type { V1Service } from '@kubernetes/client-node';
import { buildSnapshot, RawCluster } from '../kube/snapshot';
import { planReconcile } from './plan';

// Zero-outage enforce. Pure: addresses are data only.
const HOUR = 3600_000;
const now = new Date('2026-06-01T12:00:00Z');
const svc = (
  name: string,
  ip: string | undefined,
  annotations: Record<string, string> = {},
): V1Service => ({
  metadata: {
    name,
    namespace: 'apps',
    uid: `uid-${name}`,
    annotations,
    creationTimestamp: new Date('2026-01-01T00:00:00Z'),
  },
  spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
  status: ip ? { loadBalancer: { ingress: [{ ip }] } } : {},
});
const grant = (
  name: string,
  service: string,
  address: string,
  expiresAt?: string,
) => ({
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'ExposureGrant',
  metadata: { name, uid: `uid-${name}`, generation: 1 },
  spec: {
    service: { namespace: 'apps', name: service },
    addresses: [address],
    pool: 'prod',
    requestId: `r-${name}`,
    owner: 'group:default/edge',
    expiresAt,
  },
});
const raw = (services: V1Service[], grants: unknown[] = []): RawCluster => ({
  services,
  endpointSlices: [],
  nodes: [],
  namespaces: [],
  leases: [],
  grants,
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
});
const enforce = {
  mode: 'enforce' as const,
  loadBalancerClass: 'x',
  now,
  enforceGraceMs: 24 * HOUR,
};

describe('planReconcile, zero-outage switch to enforce', () => {
  it('keeps an address in use without a grant, starts the clock once and warns', () => {
    const plan = planReconcile(
      buildSnapshot(raw([svc('legacy', '192.0.2.11')])),
      enforce,
    );
    expect(plan.writes).toEqual([]);
    expect(plan.summary).toMatchObject({
      assigned: 1,
      inGrace: 1,
      ungranted: 0,
    });
    expect(plan.annotationWrites).toEqual([
      {
        namespace: 'apps',
        name: 'legacy',
        annotations: {
          'metallb.io/ip-allocated-from-pool': 'prod',
          'portico.dev/ungranted-since': now.toISOString(),
        },
      },
    ]);
    const warning = plan.events.find(e => e.reason === 'UngrantedGracePeriod');
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain('until 2026-06-02T12:00:00.000Z');
    // The pass is due again when the grace period ends.
    expect(plan.nextExpiryMs).toBe(Date.parse('2026-06-02T12:00:00Z'));
  });

  it('counts from the recorded start, and removes the address once the grace period is over', () => {
    const since = new Date(now.getTime() - 25 * HOUR).toISOString();
    const plan = planReconcile(
      buildSnapshot(
        raw([
          svc('legacy', '192.0.2.11', { 'portico.dev/ungranted-since': since }),
        ]),
      ),
      enforce,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'legacy', addresses: [] },
    ]);
    expect(plan.summary.inGrace).toBe(0);
    expect(plan.events.map(e => e.reason)).toEqual([
      'AddressReleased',
      'NotGranted',
    ]);
  });

  it('removes at once when its grant was deleted or expired', () => {
    const deleted = svc('deleted', '192.0.2.12', {
      'portico.dev/granted-by': 'old',
    });
    const expired = svc('expired', '192.0.2.13');
    const plan = planReconcile(
      buildSnapshot(
        raw(
          [deleted, expired],
          [grant('exp', 'expired', '192.0.2.13', '2026-06-01T11:00:00Z')],
        ),
      ),
      enforce,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'deleted', addresses: [] },
      { namespace: 'apps', name: 'expired', addresses: [] },
    ]);
    expect(plan.summary.inGrace).toBe(0);
  });

  it('never keeps an address a grant gives to another Service', () => {
    const plan = planReconcile(
      buildSnapshot(
        raw(
          [svc('squatter', '192.0.2.14'), svc('owner', undefined)],
          [grant('g', 'owner', '192.0.2.14')],
        ),
      ),
      enforce,
    );
    expect(plan.writes).toEqual([
      { namespace: 'apps', name: 'squatter', addresses: [] },
      { namespace: 'apps', name: 'owner', addresses: ['192.0.2.14'] },
    ]);
  });

  it('a grant ends the grace period: the markers move to granted-by', () => {
    const plan = planReconcile(
      buildSnapshot(
        raw(
          [
            svc('legacy', '192.0.2.11', {
              'portico.dev/ungranted-since': now.toISOString(),
            }),
          ],
          [grant('g', 'legacy', '192.0.2.11')],
        ),
      ),
      enforce,
    );
    expect(plan.writes).toEqual([]);
    expect(plan.annotationWrites).toEqual([
      {
        namespace: 'apps',
        name: 'legacy',
        annotations: {
          'metallb.io/ip-allocated-from-pool': 'prod',
          'portico.dev/granted-by': 'g',
          'portico.dev/ungranted-since': null,
        },
      },
    ]);
  });
});
