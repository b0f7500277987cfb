import { exposureConfigSchema } from '@portico/plugin-exposure-common';
import { ClusterService, planAdoption } from './planAdoption';

// Pure: addresses are data only.
const config = exposureConfigSchema.parse({
  segments: [
    {
      name: 'edge',
      cidrs: ['192.0.2.0/24'],
      reserved: ['192.0.2.1-192.0.2.9'],
      clusters: ['prod', 'prod-b'],
    },
    { name: 'lab', cidrs: ['198.51.100.0/24'], clusters: ['lab'] },
  ],
  pools: [
    {
      name: 'edge-web',
      segment: 'edge',
      intent: 'production-external',
      addresses: ['192.0.2.10-192.0.2.49'],
    },
    {
      name: 'lab-pool',
      segment: 'lab',
      intent: 'temporary',
      addresses: ['198.51.100.0/28'],
      policy: { approval: 'automatic', maxLifetimeHours: 24 },
    },
  ],
});

const svc = (
  namespace: string,
  name: string,
  addresses: string[],
  labels: Record<string, string> = {},
): ClusterService => ({
  namespace,
  name,
  addresses,
  labels,
  annotations: {},
  ports: [{ port: 443, protocol: 'TCP' }],
});

const base = {
  cluster: 'prod',
  config,
  clusterPools: [],
  components: new Map([
    [
      'web-shop',
      {
        entityRef: 'component:default/web-shop',
        owner: 'group:default/team-shop',
      },
    ],
  ]),
  namespaceOwners: [
    { namespace: 'legacy-*', owner: 'group:default/team-legacy' },
  ],
  allocations: [],
  otherClusters: [],
};

describe('planAdoption', () => {
  it('adopts Services with an owner from the catalog, then from namespace rules', () => {
    const report = planAdoption({
      ...base,
      services: [
        svc('shop', 'web', ['192.0.2.11'], {
          'backstage.io/kubernetes-id': 'web-shop',
        }),
        svc('legacy-billing', 'api', ['192.0.2.12']),
        svc('orphans', 'x', ['192.0.2.13']),
        svc('shop', 'unknown-id', ['192.0.2.14'], {
          'backstage.io/kubernetes-id': 'nope',
        }),
      ],
    });
    expect(report.adopt).toEqual([
      expect.objectContaining({
        namespace: 'legacy-billing',
        serviceName: 'api',
        owner: 'group:default/team-legacy',
        ownerFrom: 'namespace-rule',
        pool: 'edge-web',
        segment: 'edge',
      }),
      expect.objectContaining({
        namespace: 'shop',
        serviceName: 'web',
        owner: 'group:default/team-shop',
        entityRef: 'component:default/web-shop',
        ownerFrom: 'catalog',
      }),
    ]);
    expect(report.skipped.map(s => [s.serviceName, s.reason])).toEqual([
      ['x', 'no-owner'],
      ['unknown-id', 'no-owner'],
    ]);
    expect(report.skipped[1].message).toMatch(
      /backstage.io\/kubernetes-id: nope/,
    );
    expect(report.enforceWouldRemove).toEqual([
      { namespace: 'orphans', serviceName: 'x', addresses: ['192.0.2.13'] },
      {
        namespace: 'shop',
        serviceName: 'unknown-id',
        addresses: ['192.0.2.14'],
      },
    ]);
  });

  it('skips reserved addresses, addresses of no portal pool, on another cluster of the segment, or allocated', () => {
    const report = planAdoption({
      ...base,
      namespaceOwners: [{ namespace: 'apps', owner: 'group:default/apps' }],
      services: [
        svc('apps', 'reserved', ['192.0.2.5']),
        svc('apps', 'outside', ['192.0.2.200']),
        svc('apps', 'lab-range', ['198.51.100.3']), // lab's segment is not prod's
        svc('apps', 'twice', ['192.0.2.20']),
        svc('apps', 'mine', ['192.0.2.21']),
        svc('apps', 'theirs', ['192.0.2.22']),
      ],
      otherClusters: [
        { cluster: 'prod-b', services: [svc('other', 'dup', ['192.0.2.20'])] },
      ],
      allocations: [
        {
          requestId: 'r-1',
          segment: 'edge',
          pool: 'edge-web',
          address: '192.0.2.21',
          owner: 'group:default/apps',
          entityRef: 'component:default/mine',
          cluster: 'prod',
          namespace: 'apps',
          serviceName: 'mine',
          ports: [],
          shared: false,
          allocatedAt: '2026-01-01T00:00:00Z',
        },
        {
          requestId: 'r-2',
          segment: 'edge',
          pool: 'edge-web',
          address: '192.0.2.22',
          owner: 'group:default/other',
          entityRef: 'component:default/other',
          cluster: 'prod-b',
          namespace: 'x',
          serviceName: 'y',
          ports: [],
          shared: false,
          allocatedAt: '2026-01-01T00:00:00Z',
        },
      ],
    });
    expect(report.adopt).toEqual([]);
    expect(
      Object.fromEntries(report.skipped.map(s => [s.serviceName, s.reason])),
    ).toEqual({
      reserved: 'reserved',
      outside: 'no-portal-pool',
      'lab-range': 'no-portal-pool',
      twice: 'held-on-another-cluster',
      mine: 'already-managed',
      theirs: 'held-by-another-allocation',
    });
    // Already managed stays; everything else would lose its address under enforce.
    expect(report.enforceWouldRemove.map(e => e.serviceName)).toEqual([
      'lab-range',
      'outside',
      'reserved',
      'theirs',
      'twice',
    ]);
  });

  it('lists cluster pools no portal pool covers, with a config snippet, and a token that follows the candidates', () => {
    const input = {
      ...base,
      clusterPools: [
        { name: 'edge-web', addresses: ['192.0.2.10-192.0.2.49'] },
        { name: 'lab-side', addresses: ['198.51.100.64/28'] },
        { name: 'nowhere', addresses: ['203.0.113.0/28'] },
      ],
      services: [
        svc('shop', 'web', ['192.0.2.11'], {
          'backstage.io/kubernetes-id': 'web-shop',
        }),
      ],
    };
    const report = planAdoption(input);
    expect(report.unmatchedPools.map(p => p.name)).toEqual([
      'lab-side',
      'nowhere',
    ]);
    expect(report.unmatchedPools[0].suggestedConfig).toBe(
      [
        'exposure:',
        '  pools:',
        '    - name: lab-side',
        '      segment: lab',
        '      intent: internal',
        '      addresses:',
        '        - 198.51.100.64/28',
        '      policy:',
        '        approval: required',
        '',
      ].join('\n'),
    );
    expect(report.unmatchedPools[1].suggestedConfig).toMatch(
      /segment: SEGMENT-OF-THESE-ADDRESSES/,
    );
    expect(planAdoption(input).token).toBe(report.token);
    expect(
      planAdoption({
        ...input,
        services: [...input.services, svc('legacy-x', 'y', ['192.0.2.30'])],
      }).token,
    ).not.toBe(report.token);
  });

  it('refuses to adopt from a cluster pool named otherwise than the portal pool over the same addresses', () => {
    const report = planAdoption({
      ...base,
      clusterPools: [
        { name: 'metallb-default', addresses: ['192.0.2.10-192.0.2.49'] },
      ],
      services: [
        svc('shop', 'web', ['192.0.2.11'], {
          'backstage.io/kubernetes-id': 'web-shop',
        }),
      ],
    });
    expect(report.adopt).toEqual([]);
    expect(report.skipped).toEqual([
      expect.objectContaining({
        reason: 'cluster-pool-name-differs',
        message: expect.stringMatching(
          /IPAddressPool metallb-default, the portal's pool is edge-web/,
        ),
      }),
    ]);
  });
});
