import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
// The module is tested inside the real plugin it extends.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import exposurePlugin from '@portico/plugin-exposure-backend';
import { exposureAdminPermissions } from '@portico/plugin-exposure-common';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import type { Server } from 'node:http';
import { exposureModuleKubernetes } from './module';
import type { ClustersView } from '@portico/plugin-exposure-common';
import {
  eventually,
  PortalCluster,
  startPortalCluster,
} from './__testUtils__/portalCluster';

jest.setTimeout(120_000);

const NAMESPACE = 'payments';
const GRACE_SECONDS = 3;
const groups: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-payments'],
  'user:default/pat': ['group:default/platform-team'],
};
const adminNames = new Set(exposureAdminPermissions.map(p => p.name));
const as = (ref: string) => mockCredentials.user.header(ref);
const ALICE = as('user:default/alice');
const PAT = as('user:default/pat');

function exposureConfig(clusters: string[], metallbNamespace: string) {
  return {
    segments: [
      {
        name: 'dc1-edge',
        cidrs: ['192.0.2.0/24'],
        vlan: 120,
        modes: ['l2', 'bgp'],
        bgpPeers: [{ address: '192.0.2.1', asn: 65000, localAsn: 65001 }],
        clusters,
      },
    ],
    pools: [
      {
        name: 'edge-l2',
        segment: 'dc1-edge',
        intent: 'internal',
        addresses: ['192.0.2.10-192.0.2.19'],
        advertisement: { type: 'l2' },
        policy: { approval: 'automatic', owners: ['team-payments'] },
      },
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
    ],
    expiry: { intervalSeconds: 3600 },
    kubernetes: {
      intervalSeconds: 1,
      maxBackoffSeconds: 2,
      metallbNamespace,
      unallocatedGrantGraceSeconds: GRACE_SECONDS,
    },
  };
}

describe('cluster reconciler on a real kube-apiserver, as the portal ServiceAccount', () => {
  let cluster: PortalCluster;
  let server: Server;
  let knex: Knex;
  let stopBackend: () => Promise<void>;
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async () => ({
      success: async () => {},
      fail: async () => {},
    })),
  });

  const kubectl = (...args: string[]) => cluster.kubectl(args);
  const kubectlJson = (...args: string[]) => cluster.kubectlJson(args);
  const mlb = () => cluster.metallbNamespace;
  let namespaceBefore: string;
  const grants = async (): Promise<
    Array<{ spec: { service: { name: string } } }>
  > => (await kubectlJson('get', 'exposuregrants.portico.dev')).items;
  const view = async (): Promise<ClustersView> =>
    (
      await request(server)
        .get('/api/exposure/clusters')
        .set('Authorization', ALICE)
    ).body;

  async function requestExposure(serviceName: string, pool = 'edge-l2') {
    const res = await request(server)
      .post('/api/exposure/requests')
      .set('Authorization', ALICE)
      .send({
        entityRef: 'component:default/edge-api',
        owner: 'group:default/team-payments',
        cluster: 'test',
        namespace: NAMESPACE,
        serviceName,
        ports: [{ port: 443 }],
        pool,
        justification: 'reconciler test',
      });
    expect(res.status).toBe(201);
    return res.body as { id: string; state: string; address?: string };
  }

  beforeAll(async () => {
    cluster = await startPortalCluster({
      namespaces: [NAMESPACE],
      users: { nobody: [] },
    });
    namespaceBefore = String(
      await kubectl('get', 'namespace', mlb()).catch(e => e),
    );
    const test = cluster.target.cluster;
    const clusters = [cluster.entry('test')];
    if (test) clusters.push(cluster.entry('test-b', test.userToken('nobody')));
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const groupsOf = (ref: string) => [ref, ...(groups[ref] ?? [])];
    const backend = await startTestBackend({
      features: [
        exposurePlugin,
        exposureModuleKubernetes,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'edge-api', namespace: 'default' },
              spec: { type: 'service', owner: 'team-payments' },
            },
          ],
        }),
        auditor.factory,
        // The real scheduler: the mock one runs a task only once, at startup.
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            exposure: exposureConfig(
              clusters.map(c => c.name),
              cluster.metallbNamespace,
            ),
            kubernetes: {
              clusterLocatorMethods: [
                // JSON, as the config loader would hand it over
                {
                  type: 'config',
                  clusters: JSON.parse(JSON.stringify(clusters)),
                },
              ],
            },
          },
        }),
        mockServices.userInfo.mock({
          async getUserInfo(credentials) {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            return { userEntityRef: ref, ownershipEntityRefs: groupsOf(ref) };
          },
        }).factory,
        mockServices.permissions.mock({
          async authorize(requests, options) {
            const ref =
              (options.credentials.principal as { userEntityRef?: string })
                .userEntityRef ?? '';
            const admin = groupsOf(ref).includes('group:default/platform-team');
            return requests.map(r => ({
              result:
                'permission' in r && adminNames.has(r.permission.name) && !admin
                  ? AuthorizeResult.DENY
                  : AuthorizeResult.ALLOW,
            })) as any;
          },
        }).factory,
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await knex?.destroy();
    await cluster?.stop();
  });

  it('creates the missing MetalLB namespace and renders every pool of the cluster as MetalLB objects', async () => {
    // The run's MetalLB namespace did not exist: the portal made it, as itself.
    expect(namespaceBefore).toMatch(/NotFound/);
    await eventually('the MetalLB namespace', async () =>
      kubectlJson('get', 'namespace', mlb()),
    );
    await eventually('the MetalLB objects', async () => {
      const pools = (
        await kubectlJson('get', 'ipaddresspools.metallb.io', '-n', mlb())
      ).items;
      return pools.length === 2 && pools;
    });
    const pools = await kubectlJson(
      'get',
      'ipaddresspools.metallb.io',
      '-n',
      mlb(),
    );
    expect(
      pools.items.map((p: any) => [
        p.metadata.name,
        p.spec.addresses,
        p.spec.autoAssign,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['edge-l2', ['192.0.2.10-192.0.2.19'], false],
        ['edge-bgp', ['192.0.2.64/28'], false],
      ]),
    );
    const l2 = await kubectlJson(
      'get',
      'l2advertisements.metallb.io',
      '-n',
      mlb(),
    );
    expect(l2.items.map((a: any) => a.spec.ipAddressPools)).toEqual([
      ['edge-l2'],
    ]);
    const bgp = await kubectlJson(
      'get',
      'bgpadvertisements.metallb.io',
      '-n',
      mlb(),
    );
    // deploy/crds hold Portico's largeCommunities, so they are written.
    expect(bgp.items[0].spec).toMatchObject({
      ipAddressPools: ['edge-bgp'],
      communities: ['65000:100'],
      largeCommunities: ['65000:1:2'],
    });
    const peers = await kubectlJson('get', 'bgppeers.metallb.io', '-n', mlb());
    expect(peers.items[0].spec).toMatchObject({
      peerAddress: '192.0.2.1',
      peerASN: 65000,
      myASN: 65001,
    });
    const status = (await view()).clusters.find(c => c.name === 'test');
    expect(status).toMatchObject({ reachable: true });
    expect(status?.problems).toBeUndefined();
  });

  it('writes a grant for an approved request and deletes it on release', async () => {
    const pending = await requestExposure('edge-api', 'edge-bgp');
    expect(pending.state).toBe('pending');
    const approved = await request(server)
      .post(`/api/exposure/requests/${pending.id}/approve`)
      .set('Authorization', PAT)
      .send({ comment: 'fine' });
    expect(approved.status).toBe(200);

    const grant = await eventually('the grant', async () =>
      (await grants()).find(g => g.spec.service.name === 'edge-api'),
    );
    expect(grant.spec).toMatchObject({
      service: { namespace: NAMESPACE, name: 'edge-api' },
      addresses: [approved.body.address],
      pool: 'edge-bgp',
      requestId: pending.id,
      owner: 'group:default/team-payments',
    });

    const released = await request(server)
      .post(`/api/exposure/requests/${pending.id}/release`)
      .set('Authorization', ALICE)
      .send({});
    expect(released.status).toBe(200);
    await eventually(
      'the grant to go',
      async () =>
        !(await grants()).some(g => g.spec.service.name === 'edge-api'),
    );
  });

  it('lists a LoadBalancer Service made by hand with kubectl as unmanaged', async () => {
    await kubectl(
      'create',
      'service',
      'loadbalancer',
      'handmade',
      '-n',
      NAMESPACE,
      '--tcp=80:8080',
    );
    const unmanaged = await eventually('the unmanaged Service', async () =>
      (await view()).unmanaged.find(s => s.name === 'handmade'),
    );
    expect(unmanaged).toMatchObject({ cluster: 'test', namespace: NAMESPACE });
    await kubectl('delete', 'service', 'handmade', '-n', NAMESPACE);
  });

  it('reports a Service patched to an address the portal did not allocate as drift', async () => {
    const exposure = await requestExposure('checkout');
    expect(exposure.state).toBe('active');
    await kubectl(
      'create',
      'service',
      'loadbalancer',
      'checkout',
      '-n',
      NAMESPACE,
      '--tcp=443:8443',
    );
    await kubectl(
      'patch',
      'service',
      'checkout',
      '-n',
      NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.99' }] } },
      }),
    );
    const drift = await eventually('the drift', async () =>
      (
        await view()
      ).drift.find(
        d => d.kind === 'address-not-allocated' && d.name === 'checkout',
      ),
    );
    expect(drift.address).toBe('192.0.2.99');
    const live = (await view()).exposures.find(
      e => e.requestId === exposure.id,
    );
    expect(live).toMatchObject({ state: 'pending', address: exposure.address });
  });

  it('removes a grant that matches no active allocation after the grace period, with Events and an audit entry', async () => {
    // Only the portal's identity may write grants (deploy/admission): this one
    // stands for a grant left by a portal whose database was restored. It even
    // carries the portal's label, yet no request of this portal stands behind it.
    const orphan = {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'ExposureGrant',
      metadata: {
        name: 'payments.legacy.made-up',
        labels: { 'app.kubernetes.io/managed-by': 'portico' },
      },
      spec: {
        service: { namespace: NAMESPACE, name: 'legacy' },
        addresses: ['192.0.2.18'],
        pool: 'edge-l2',
        requestId: 'made-up',
        owner: 'group:default/team-payments',
      },
    };
    const refused = await cluster
      .kubectl(['create', '-f', '-'], { input: JSON.stringify(orphan) })
      .catch((error: Error) => error);
    expect(String(refused)).toMatch(/written only by the Portico portal/);
    await cluster.kubectl(['create', '-f', '-'], {
      as: 'portal',
      input: JSON.stringify(orphan),
    });
    const createdAt = Date.now();

    const drift = await eventually('the unallocated grant as drift', async () =>
      (
        await view()
      ).drift.find(
        d => d.kind === 'grant-not-allocated' && d.name === 'legacy',
      ),
    );
    expect(drift).toMatchObject({ cluster: 'test', address: '192.0.2.18' });
    // What `kubectl describe` shows the cluster's admin meanwhile.
    const described = await eventually('the warning Event', async () => {
      const out = await kubectl(
        'describe',
        'exposuregrant',
        'payments.legacy.made-up',
      );
      return /Warning\s+UnallocatedGrant\s.*portico-portal/.test(out) && out;
    });
    expect(described).toMatch(/matches no active allocation/);

    await eventually(
      'the grant to be removed',
      async () => !(await grants()).some(g => g.spec.service.name === 'legacy'),
      30_000,
    );
    expect(Date.now() - createdAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    const events = (
      await kubectlJson(
        'get',
        'events',
        '-n',
        'default',
        '--field-selector',
        'involvedObject.name=payments.legacy.made-up',
      )
    ).items.map((e: any) => e.reason);
    expect(events).toEqual(
      expect.arrayContaining(['UnallocatedGrant', 'UnallocatedGrantRemoved']),
    );
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'exposure-grant-removed',
        meta: expect.objectContaining({
          cluster: 'test',
          grant: 'payments.legacy.made-up',
          addresses: ['192.0.2.18'],
          requestId: 'made-up',
        }),
      }),
    );
    // The portal's own grants stay.
    expect((await grants()).map(g => g.spec.service.name)).toEqual([
      'checkout',
    ]);
  });

  it('shows a cluster that refuses as forbidden, without touching the database', async () => {
    if (!cluster.target.cluster) return; // an outside cluster has no powerless static token
    const b = await eventually('the forbidden cluster', async () =>
      (await view()).clusters.find(c => c.name === 'test-b' && c.failures > 0),
    );
    expect(b.reachable).toBe(false);
    expect(b.lastError).toMatch(/^forbidden/);
  });

  it('converges after the cluster was down, with no duplicate objects', async () => {
    const test = cluster.target.cluster;
    if (!test) return; // only the test cluster can be taken down
    await test.simulateOutage('refuse');
    const during = await requestExposure('search-api');
    expect(during.state).toBe('active');
    const down = await eventually('the outage to show', async () =>
      (await view()).clusters.find(c => c.name === 'test' && !c.reachable),
    );
    expect(down.lastError).toMatch(/unreachable/);
    const stored = await request(server)
      .get(`/api/exposure/requests/${during.id}`)
      .set('Authorization', ALICE);
    expect(stored.body.state).toBe('active');

    await test.resume();
    await eventually('the grant after the outage', async () =>
      (await grants()).some(g => g.spec.service.name === 'search-api'),
    );
    await eventually('the cluster to be reachable', async () =>
      (await view()).clusters.find(c => c.name === 'test' && c.reachable),
    );
    const names = (await grants()).map(g => g.spec.service.name).sort();
    expect(names).toEqual(['checkout', 'search-api']);
    const pools = await kubectlJson(
      'get',
      'ipaddresspools.metallb.io',
      '-n',
      mlb(),
    );
    expect(pools.items).toHaveLength(2);
  });
});
