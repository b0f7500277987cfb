import type { V1Service } from '@kubernetes/client-node';
import { isOurLoadBalancer, toServiceRequest } from './serviceRequest';

const service = (
  annotations: Record<string, string>,
  spec: Partial<NonNullable<V1Service['spec']>> = {},
): V1Service => ({
  metadata: {
    name: 'edge-api',
    namespace: 'default',
    annotations,
    creationTimestamp: new Date('2026-01-01T00:00:00Z'),
  },
  spec: { type: 'LoadBalancer', ports: [{ port: 443 }], ...spec },
});

describe('toServiceRequest', () => {
  it('reads the seed example', () => {
    const r = toServiceRequest(
      service({ 'metallb.universe.tf/address-pool': 'prod-external' }),
    );
    expect(r).toMatchObject({
      key: 'default/edge-api',
      pool: 'prod-external',
      requestedIPs: [],
      ports: [{ protocol: 'TCP', port: 443 }],
      familyPolicy: 'SingleStack',
      createdAt: '2026-01-01T00:00:00.000Z',
      invalid: undefined,
    });
  });

  it('reads the metallb.io/ forms and the IP list', () => {
    const r = toServiceRequest(
      service({
        'metallb.io/loadBalancerIPs': '192.0.2.10, 2001:db8::10',
        'metallb.io/allow-shared-ip': 'team-a',
      }),
    );
    expect(r.requestedIPs).toEqual(['192.0.2.10', '2001:db8::10']);
    expect(r.sharingKey).toBe('team-a');
  });

  it('flags contradictions instead of guessing', () => {
    expect(
      toServiceRequest(
        service({
          'metallb.universe.tf/address-pool': 'a',
          'metallb.io/address-pool': 'b',
        }),
      ).invalid,
    ).toMatch(/disagree/);
    expect(
      toServiceRequest(
        service(
          { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.10' },
          { loadBalancerIP: '192.0.2.11' },
        ),
      ).invalid,
    ).toMatch(/both set/);
  });

  it('keys backends by selector only for externalTrafficPolicy Local', () => {
    const local = toServiceRequest(
      service({}, { externalTrafficPolicy: 'Local', selector: { app: 'x' } }),
    );
    const cluster = toServiceRequest(service({}, { selector: { app: 'x' } }));
    expect(local.backendKey).toBe('[["app","x"]]');
    expect(cluster.backendKey).toBeUndefined();
  });
});

describe('isOurLoadBalancer', () => {
  it('takes LoadBalancer Services without a class or with ours', () => {
    expect(isOurLoadBalancer(service({}), 'portico.dev/lb')).toBe(true);
    expect(
      isOurLoadBalancer(
        service({}, { loadBalancerClass: 'portico.dev/lb' }),
        'portico.dev/lb',
      ),
    ).toBe(true);
    expect(
      isOurLoadBalancer(
        service({}, { loadBalancerClass: 'other.io/lb' }),
        'portico.dev/lb',
      ),
    ).toBe(false);
    expect(
      isOurLoadBalancer(service({}, { type: 'ClusterIP' }), 'portico.dev/lb'),
    ).toBe(false);
  });
});
