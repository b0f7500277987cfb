import type {
  Allocation,
  ExposureConfig,
} from '@portico/plugin-exposure-common';
import { KubeObject } from '../render/kubeObject';
import { buildClusterReport } from './clusterReport';

const exposure = {
  segments: [{ name: 'edge', clusters: ['a', 'b'] }],
  pools: [],
} as unknown as ExposureConfig;

const service = (name: string, ips: string[], cls?: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: { type: 'LoadBalancer', ...(cls ? { loadBalancerClass: cls } : {}) },
    status: { loadBalancer: { ingress: ips.map(ip => ({ ip })) } },
  } as KubeObject);

const allocation = (serviceName: string, address: string): Allocation =>
  ({
    requestId: `req-${serviceName}`,
    cluster: 'a',
    namespace: 'shop',
    serviceName,
    address,
  } as Allocation);

describe('buildClusterReport', () => {
  it('lists the unmanaged Services enforce keeps on their grace period, with its start', () => {
    const kept = service('kept', ['192.0.2.30']);
    (kept.metadata as any).annotations = {
      'portico.dev/ungranted-since': '2026-06-01T12:00:00.000Z',
    };
    const report = buildClusterReport(
      exposure,
      [],
      [
        {
          cluster: 'a',
          services: [kept, service('plain', ['192.0.2.31'])],
          grants: [],
        },
      ],
    );
    expect(report.unmanaged).toEqual([
      {
        cluster: 'a',
        namespace: 'shop',
        name: 'kept',
        addresses: ['192.0.2.30'],
        ungrantedSince: '2026-06-01T12:00:00.000Z',
      },
      {
        cluster: 'a',
        namespace: 'shop',
        name: 'plain',
        addresses: ['192.0.2.31'],
      },
    ]);
  });

  it('finds unmanaged Services, foreign addresses and one address on two clusters', () => {
    const report = buildClusterReport(
      exposure,
      [allocation('web', '192.0.2.10')],
      [
        {
          cluster: 'a',
          services: [service('web', ['192.0.2.10']), service('legacy', [])],
          grants: [],
        },
        {
          cluster: 'b',
          services: [service('copy', ['192.0.2.10'])],
          grants: [],
        },
      ],
    );
    expect(report.unmanaged.map(u => `${u.cluster}/${u.name}`)).toEqual([
      'a/legacy',
      'b/copy',
    ]);
    expect(report.drift.map(d => d.kind).sort()).toEqual([
      'address-not-allocated',
      'address-on-two-clusters',
    ]);
    expect(report.exposures).toEqual([
      expect.objectContaining({ serviceName: 'web', state: 'assigned' }),
    ]);
  });

  it('reports an address granted on two clusters of a segment before any Service holds it', () => {
    const grant = (requestId: string): KubeObject => ({
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'ExposureGrant',
      metadata: { name: `shop.web.${requestId}` },
      spec: {
        service: { namespace: 'shop', name: 'web' },
        addresses: ['192.0.2.10'],
        requestId,
      },
    });
    const report = buildClusterReport(
      exposure,
      [allocation('web', '192.0.2.10')],
      [
        { cluster: 'a', services: [], grants: [grant('req-web')] },
        { cluster: 'b', services: [], grants: [grant('made-up')] },
      ],
    );
    expect(report.drift.map(d => [d.kind, d.cluster]).sort()).toEqual([
      ['address-on-two-clusters', 'a,b'],
      ['grant-not-allocated', 'b'],
      ['grant-without-service', 'a'],
      ['grant-without-service', 'b'],
    ]);
  });

  it('leaves Services of another load-balancer class alone', () => {
    const report = buildClusterReport(
      exposure,
      [],
      [
        {
          cluster: 'a',
          services: [service('other', ['192.0.2.5'], 'example.com/lb')],
          grants: [],
        },
      ],
    );
    expect(report).toEqual({ unmanaged: [], drift: [], exposures: [] });
  });

  it('marks exposures of a cluster it could not read as unknown', () => {
    const report = buildClusterReport(
      exposure,
      [allocation('web', '192.0.2.10')],
      [],
    );
    expect(report.exposures[0].state).toBe('unknown');
  });

  it('counts as announcers only fresh entries with addresses, and reports conflicts as drift', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    const grant = {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'ExposureGrant',
      metadata: { name: 'shop.web.req-web' },
      spec: {
        service: { namespace: 'shop', name: 'web' },
        addresses: ['192.0.2.10'],
        requestId: 'req-web',
      },
      status: {
        announcers: {
          'node-a': {
            mode: 'l2',
            addresses: ['192.0.2.10'],
            renewedAt: ago(10_000),
          },
          'node-b': {
            mode: 'l2',
            addresses: ['192.0.2.10'],
            renewedAt: ago(300_000),
          },
          'node-c': null,
          'node-d': {
            mode: 'l2',
            addresses: [],
            renewedAt: ago(5_000),
            conflicts: [
              {
                address: '192.0.2.10',
                mac: '02:00:00:00:00:99',
                how: 'ARP reply',
                at: ago(6_000),
              },
            ],
          },
        },
      },
    } as KubeObject;
    const report = buildClusterReport(
      exposure,
      [allocation('web', '192.0.2.10')],
      [
        {
          cluster: 'a',
          services: [service('web', ['192.0.2.10'])],
          grants: [grant],
        },
      ],
      now,
    );
    expect(report.exposures[0].announcedBy).toEqual(['node-a']);
    expect(report.exposures[0].conflicts).toEqual([
      expect.objectContaining({ node: 'node-d', mac: '02:00:00:00:00:99' }),
    ]);
    expect(report.drift).toEqual([
      expect.objectContaining({
        kind: 'address-conflict',
        address: '192.0.2.10',
        message: expect.stringContaining('02:00:00:00:00:99'),
      }),
    ]);
  });
});
