import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { readExposureConfig } from '@portico/plugin-exposure-node';
import type { Allocation } from '@portico/plugin-exposure-common';
import { resolve } from 'node:path';
import {
  DEPLOY_CRDS,
  PortalCluster,
  startPortalCluster,
} from '../__testUtils__/portalCluster';
import { readReconcilerSettings } from '../config/readReconcilerSettings';
import { ClusterReconciler } from './ClusterReconciler';

jest.setTimeout(180_000);

/** MetalLB v0.16.2's own BGPAdvertisement CRD: no largeCommunities. */
const METALLB_BGPADVERTISEMENTS = resolve(
  __dirname,
  '../__fixtures__/metallb-v0.16.2.bgpadvertisements.yaml',
);
const deployCrd = (file: string) => resolve(DEPLOY_CRDS, file);

const segment = (clusters: string[]) => ({
  name: 'dc1-edge',
  cidrs: ['192.0.2.0/24'],
  modes: ['l2', 'bgp'],
  bgpPeers: [{ address: '192.0.2.1', asn: 65000, localAsn: 65001 }],
  clusters,
});
const pools = [
  {
    name: 'edge-bgp',
    segment: 'dc1-edge',
    intent: 'production-external',
    addresses: ['192.0.2.64/28'],
    advertisement: {
      type: 'bgp',
      communities: ['65000:100'],
      largeCommunities: ['65000:1:2'],
    },
    policy: { approval: 'required', owners: ['team-payments'] },
  },
];

const allocation = (
  cluster: string,
  serviceName: string,
  address: string,
): Allocation => ({
  requestId: `req-${serviceName}-0001`,
  segment: 'dc1-edge',
  pool: 'edge-bgp',
  address,
  owner: 'group:default/team-payments',
  entityRef: 'component:default/edge-api',
  cluster,
  namespace: 'payments',
  serviceName,
  ports: [{ port: 443, protocol: 'TCP' }] as Allocation['ports'],
  shared: false,
  allocatedAt: '2026-12-01T00:00:00.000Z',
});

/** The reconciler as the module builds it, over `clusters` (name → Backstage entry). */
function reconcilerFor(
  clusters: Array<ReturnType<PortalCluster['entry']>>,
  kubernetes: Record<string, string | number>,
) {
  const config = new ConfigReader({
    exposure: {
      segments: [segment(clusters.map(c => c.name))],
      pools,
      kubernetes,
    },
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'config', clusters: JSON.parse(JSON.stringify(clusters)) },
      ],
    },
  });
  return new ClusterReconciler({
    settings: readReconcilerSettings(config),
    exposure: readExposureConfig(config),
    logger: mockServices.logger.mock(),
  });
}

const source = (allocations: Allocation[]) => ({
  listActiveAllocations: async () => allocations,
});

// Always on test clusters of its own (PORTICO_E2E_KUBECONFIG or not): it needs
// MetalLB's CRD on one, and a namespace that stays terminating.
describe('ClusterReconciler on real kube-apiservers, as the portal ServiceAccount', () => {
  /** MetalLB's own BGPAdvertisement CRD (reporting-only mode: MetalLB unchanged). */
  let metallb: PortalCluster;
  /** deploy/crds, with Portico's extensions. */
  let portico: PortalCluster;

  beforeAll(async () => {
    [metallb, portico] = await Promise.all([
      startPortalCluster({
        crds: [
          METALLB_BGPADVERTISEMENTS,
          deployCrd('metallb.io_ipaddresspools.yaml'),
          deployCrd('metallb.io_l2advertisements.yaml'),
          deployCrd('metallb.io_bgppeers.yaml'),
          deployCrd('portico.dev_exposuregrants.yaml'),
        ],
        fresh: true,
      }),
      startPortalCluster({ fresh: true }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([metallb?.stop(), portico?.stop()]);
  });

  it("writes only fields the cluster's CRDs hold, so a second pass changes nothing", async () => {
    const reconciler = reconcilerFor([metallb.entry('metallb')], {
      metallbNamespace: metallb.metallbNamespace,
    });
    await reconciler.reconcileAll(source([]));
    const first = reconciler.view().clusters[0];
    expect(first.lastError).toBeUndefined();
    expect(first).toMatchObject({ reachable: true });
    expect(first.lastSync?.created).toBeGreaterThan(0);
    const get = () =>
      metallb.kubectlJson([
        'get',
        'bgpadvertisements.metallb.io',
        'edge-bgp',
        '-n',
        metallb.metallbNamespace,
      ]);
    const written = await get();
    expect(written.spec).toEqual(
      expect.objectContaining({
        ipAddressPools: ['edge-bgp'],
        communities: ['65000:100'],
      }),
    );
    expect(written.spec.largeCommunities).toBeUndefined();
    expect(first.problems).toEqual([
      {
        object: `BGPAdvertisement/${metallb.metallbNamespace}/edge-bgp`,
        message: expect.stringMatching(
          /^not written: spec\.largeCommunities \(this cluster's BGPAdvertisement CRD/,
        ),
      },
    ]);

    await reconciler.reconcileAll(source([]));
    expect(reconciler.view().clusters[0].lastSync).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect((await get()).metadata.resourceVersion).toBe(
      written.metadata.resourceVersion,
    );
  });

  it('writes the grants when the MetalLB namespace refuses new objects, and reports it', async () => {
    // A namespace being deleted takes no new objects (no namespace controller
    // runs here to finish the deletion).
    const terminating = `mlb-gone-${metallb.run}`;
    await metallb.kubectl(['create', 'namespace', terminating]);
    await metallb.kubectl(['delete', 'namespace', terminating, '--wait=false']);
    const reconciler = reconcilerFor([metallb.entry('metallb')], {
      metallbNamespace: terminating,
    });
    const web = allocation('metallb', 'web', '192.0.2.65');
    await reconciler.reconcileAll(source([web]));

    const status = reconciler.view().clusters[0];
    expect(status).toMatchObject({ reachable: true, failures: 0 });
    const grants = (await metallb.kubectlJson(['get', 'exposuregrants'])).items;
    expect(grants.map((g: any) => g.spec.addresses)).toContainEqual([
      '192.0.2.65',
    ]);
    expect(status.problems).toEqual(
      expect.arrayContaining([
        {
          object: `IPAddressPool/${terminating}/edge-bgp`,
          message: expect.stringMatching(/^forbidden: .*being terminated/),
        },
      ]),
    );
    await metallb.kubectl(['delete', 'exposuregrants', '--all']);
  });

  it('reports an address granted on two clusters of a segment as soon as both grants exist', async () => {
    const reconciler = reconcilerFor(
      [metallb.entry('metallb'), portico.entry('portico')],
      {
        metallbNamespace: portico.metallbNamespace,
        unallocatedGrantGraceSeconds: 3600,
      },
    );
    const web = allocation('metallb', 'web', '192.0.2.66');
    await reconciler.reconcileAll(source([web]));
    expect(
      reconciler.view().drift.filter(d => d.kind === 'address-on-two-clusters'),
    ).toEqual([]);

    // The same address granted on the second cluster (as the portal: no other
    // identity may write grants), with no Service anywhere holding it yet.
    await portico.kubectl(['create', '-f', '-'], {
      as: 'portal',
      input: JSON.stringify({
        apiVersion: 'portico.dev/v1alpha1',
        kind: 'ExposureGrant',
        metadata: { name: 'payments.web.copy' },
        spec: {
          service: { namespace: 'payments', name: 'web' },
          addresses: ['192.0.2.66'],
          pool: 'edge-bgp',
          requestId: 'copied-from-a-backup',
          owner: 'group:default/team-payments',
        },
      }),
    });
    await reconciler.reconcileAll(source([web]));
    const view = reconciler.view();
    expect(view.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'address-on-two-clusters',
          cluster: 'metallb,portico',
          address: '192.0.2.66',
        }),
        expect.objectContaining({
          kind: 'grant-not-allocated',
          cluster: 'portico',
          address: '192.0.2.66',
        }),
      ]),
    );
    const services = await Promise.all(
      [metallb, portico].map(
        async c => (await c.kubectlJson(['get', 'services', '-A'])).items,
      ),
    );
    expect(
      services.flat().filter((s: any) => s.spec.type === 'LoadBalancer'),
    ).toEqual([]);
    await portico.kubectl(['delete', 'exposuregrants', '--all']);
    await metallb.kubectl(['delete', 'exposuregrants', '--all']);
  });
});
