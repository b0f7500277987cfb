import { desiredAddresses } from './LoadBalancerAddresses';

const service = (name: string, ips: string[], type = 'LoadBalancer') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'payments' },
  spec: { type },
  status: { loadBalancer: { ingress: ips.map(ip => ({ ip })) } },
});

const slice = (serviceName: string, endpoints: Array<[string, boolean]>) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: `${serviceName}-x`,
    namespace: 'payments',
    labels: { 'kubernetes.io/service-name': serviceName },
  },
  endpoints: endpoints.map(([nodeName, ready]) => ({
    addresses: ['192.0.2.11'],
    nodeName,
    conditions: { ready },
  })),
});

describe('desiredAddresses', () => {
  it('puts a Service address on the nodes with a ready endpoint only', () => {
    const result = desiredAddresses(
      [service('web', ['192.0.2.100'])],
      [
        slice('web', [
          ['node-a', true],
          ['node-b', false],
        ]),
      ],
    );
    expect([...result.entries()].map(([n, ips]) => [n, [...ips]])).toEqual([
      ['node-a', ['192.0.2.100']],
    ]);
  });

  it('ignores Services without an address, of another type, or of another namespace', () => {
    const other = {
      ...slice('web', [['node-a', true]]),
      metadata: {
        name: 'w',
        namespace: 'other',
        labels: { 'kubernetes.io/service-name': 'web' },
      },
    };
    expect(
      desiredAddresses([service('web', [])], [slice('web', [['node-a', true]])])
        .size,
    ).toBe(0);
    expect(
      desiredAddresses(
        [service('web', ['192.0.2.100'], 'ClusterIP')],
        [slice('web', [['node-a', true]])],
      ).size,
    ).toBe(0);
    expect(
      desiredAddresses([service('web', ['192.0.2.100'])], [other]).size,
    ).toBe(0);
  });
});
