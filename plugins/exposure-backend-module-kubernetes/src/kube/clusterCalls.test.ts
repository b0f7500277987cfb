import { assertListedCall, CLUSTER_CALLS } from './clusterCalls';

describe('assertListedCall', () => {
  it('lets listed calls through and refuses others, naming the file to change', () => {
    expect(() =>
      assertListedCall('portico.dev/v1alpha1', 'ExposureGrant', 'delete'),
    ).not.toThrow();
    expect(() => assertListedCall('v1', 'Namespace', 'delete')).toThrow(
      /delete v1 Namespace is not in CLUSTER_CALLS \(src\/kube\/clusterCalls.ts\)/,
    );
    expect(() => assertListedCall('v1', 'Secret', 'get', 'x')).toThrow();
  });

  it('holds CRD reads to the CRDs of the kinds written', () => {
    const crd = [
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
    ] as const;
    expect(() =>
      assertListedCall(...crd, 'get', 'bgpadvertisements.metallb.io'),
    ).not.toThrow();
    expect(() =>
      assertListedCall(...crd, 'get', 'widgets.example.com'),
    ).toThrow();
    expect(
      CLUSTER_CALLS.find(c => c.kind === 'CustomResourceDefinition')
        ?.resourceNames,
    ).toEqual([
      'ipaddresspools.metallb.io',
      'l2advertisements.metallb.io',
      'bgpadvertisements.metallb.io',
      'bgppeers.metallb.io',
      'exposuregrants.portico.dev',
    ]);
  });
});
