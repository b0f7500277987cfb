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
import {
  AdoptionReport,
  exposureAdminPermissions,
} from '@portico/plugin-exposure-common';
import knexFactory, { Knex } from 'knex';
import type { Server } from 'node:http';
import request from 'supertest';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { exposureModuleKubernetes } from '../module';
import {
  eventually,
  PortalCluster,
  REPO_ROOT,
  startPortalCluster,
} from '../__testUtils__/portalCluster';

jest.setTimeout(120_000);

// A cluster that already runs MetalLB (its Services hold addresses, written here
// as MetalLB's controller would), adopted through the portal's API on a real
// kube-apiserver, as the portal's ServiceAccount, with SQLite. TEST-NET data.

const groups: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-shop'],
  'user:default/pat': ['group:default/platform-team'],
};
const adminNames = new Set(exposureAdminPermissions.map(p => p.name));
const ALICE = mockCredentials.user.header('user:default/alice');
const PAT = mockCredentials.user.header('user:default/pat');

describe('adoption of a running MetalLB cluster', () => {
  let cluster: PortalCluster;
  let server: Server;
  let knex: Knex;
  let stopBackend: () => Promise<void>;
  const auditEvents: unknown[] = [];

  const adoption = (auth: string, body: object) =>
    request(server)
      .post('/api/exposure/clusters/test/adoption')
      .set('Authorization', auth)
      .send(body);

  beforeAll(async () => {
    cluster = await startPortalCluster({
      namespaces: ['shop', 'legacy-billing', 'orphans'],
    });
    const mlb = cluster.metallbNamespace;
    const services = [
      [
        'shop',
        'web',
        '192.0.2.11',
        { 'backstage.io/kubernetes-id': 'web-shop' },
      ],
      ['legacy-billing', 'api', '192.0.2.12', {}],
      ['orphans', 'x', '192.0.2.13', {}],
      ['shop', 'gateway', '192.0.2.5', {}],
      ['shop', 'lab', '198.51.100.7', {}],
    ] as const;
    await cluster.kubectl(['create', 'namespace', mlb]);
    await cluster.kubectl(['apply', '-f', '-'], {
      input: [
        `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: edge, namespace: ${mlb} }
spec: { addresses: [192.0.2.10-192.0.2.29] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: lab-side, namespace: ${mlb} }
spec: { addresses: [198.51.100.0/28] }`,
        ...services.map(
          ([ns, name, , labels]) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
  labels: ${JSON.stringify(labels)}
spec:
  type: LoadBalancer
  selector: { app: ${name} }
  ports: [{ port: 443, protocol: TCP }]`,
        ),
      ].join('\n---\n'),
    });
    for (const [ns, name, ip] of services) {
      await cluster.kubectl([
        'patch',
        'service',
        name,
        '-n',
        ns,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { loadBalancer: { ingress: [{ ip }] } } }),
      ]);
    }

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
        mockServices.auditor.mock({
          createEvent: jest.fn(async (event: unknown) => {
            auditEvents.push(event);
            return { success: async () => {}, fail: async () => {} };
          }),
        }).factory,
        schedulerServiceFactory,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'web-shop',
                namespace: 'default',
                annotations: { 'backstage.io/kubernetes-id': 'web-shop' },
              },
              spec: {
                type: 'service',
                owner: 'team-shop',
                lifecycle: 'production',
              },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            exposure: {
              segments: [
                {
                  name: 'dc1-edge',
                  cidrs: ['192.0.2.0/24'],
                  reserved: ['192.0.2.1-192.0.2.9'],
                  clusters: ['test'],
                },
              ],
              pools: [
                {
                  name: 'edge',
                  segment: 'dc1-edge',
                  intent: 'internal',
                  addresses: ['192.0.2.10-192.0.2.29'],
                  advertisement: { type: 'l2' },
                },
              ],
              expiry: { intervalSeconds: 3600 },
              kubernetes: {
                intervalSeconds: 1,
                metallbNamespace: mlb,
                adoption: {
                  namespaceOwners: [
                    {
                      namespace: 'legacy-*',
                      owner: 'group:default/team-legacy',
                    },
                  ],
                },
              },
            },
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: JSON.parse(JSON.stringify([cluster.entry('test')])),
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

  const allocations = async () =>
    (
      await request(server)
        .get('/api/exposure/allocations')
        .set('Authorization', PAT)
    ).body.items as Array<{
      address: string;
      owner: string;
      serviceName: string;
      requestId: string;
    }>;

  it('is for platform admins only', async () => {
    const res = await adoption(ALICE, {});
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/exposure\.pool\.manage/);
  });

  it('dry run: reports what would be adopted, what not and why, and writes nothing', async () => {
    const res = await adoption(PAT, { dryRun: true });
    expect(res.status).toBe(200);
    const report: AdoptionReport = res.body;
    expect(report.dryRun).toBe(true);
    expect(report.adopt).toEqual([
      expect.objectContaining({
        namespace: 'legacy-billing',
        serviceName: 'api',
        address: '192.0.2.12',
        pool: 'edge',
        owner: 'group:default/team-legacy',
        ownerFrom: 'namespace-rule',
      }),
      expect.objectContaining({
        namespace: 'shop',
        serviceName: 'web',
        address: '192.0.2.11',
        owner: 'group:default/team-shop',
        entityRef: 'component:default/web-shop',
        ownerFrom: 'catalog',
        ports: [{ port: 443, protocol: 'TCP' }],
      }),
    ]);
    expect(
      Object.fromEntries(
        report.skipped.map(s => [`${s.namespace}/${s.serviceName}`, s.reason]),
      ),
    ).toEqual({
      'orphans/x': 'no-owner',
      'shop/gateway': 'reserved',
      'shop/lab': 'no-portal-pool',
    });
    expect(report.unmatchedPools.map(p => p.name)).toEqual(['lab-side']);
    expect(report.enforceWouldRemove.map(e => e.serviceName).sort()).toEqual([
      'gateway',
      'lab',
      'x',
    ]);
    expect(await allocations()).toEqual([]);
  });

  it('npm run adopt: the same dry run as text, the confirm command, and a refusal of a wrong token', async () => {
    const { port } = server.address() as AddressInfo;
    const run = (args: string[]) =>
      promisify(execFile)(
        resolve(REPO_ROOT, 'node_modules/.bin/tsx'),
        [
          resolve(__dirname, 'cli.ts'),
          '--portal',
          `http://127.0.0.1:${port}`,
          ...args,
        ],
        {
          env: { ...process.env, PORTICO_TOKEN: PAT.replace(/^Bearer /, '') },
          timeout: 60_000,
        },
      );
    const dry = (await run(['--cluster', 'test'])).stdout;
    const token: string = (await adoption(PAT, {})).body.token;
    expect(dry).toContain('Adoption of cluster test: DRY RUN, nothing written');
    expect(dry).toMatch(
      /Would adopt \(2\):\n {2}legacy-billing\/api {2}192\.0\.2\.12 {2}pool edge {2}owner group:default\/team-legacy \(namespace rule\)/,
    );
    expect(dry).toMatch(/orphans\/x {2}192\.0\.2\.13 {2}\[no-owner\]/);
    expect(dry).toMatch(/lab-side \(198\.51\.100\.0\/28\):\n {4}exposure:/);
    expect(dry).toContain(
      `To adopt exactly these: npm run adopt -- --cluster test --confirm ${token}`,
    );
    const refused = await run(['--cluster', 'test', '--confirm', 'stale']).then(
      () => undefined,
      e => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(
      /adoption refused \(409\): the cluster or the portal changed/,
    );
    expect(await allocations()).toEqual([]);
  });

  it('confirming needs the dry run’s token; then each candidate is an active allocation, audited as adopted, granted in the cluster', async () => {
    const dry: AdoptionReport = (await adoption(PAT, {})).body;
    const missing = await adoption(PAT, { dryRun: false });
    expect(missing.status).toBe(400);
    const stale = await adoption(PAT, { dryRun: false, token: 'not-that-one' });
    expect(stale.status).toBe(409);
    expect(await allocations()).toEqual([]);

    const res = await adoption(PAT, { dryRun: false, token: dry.token });
    expect(res.status).toBe(200);
    const report: AdoptionReport = res.body;
    expect(report.dryRun).toBe(false);
    expect(report.adopted?.map(a => [a.serviceName, a.address])).toEqual([
      ['api', '192.0.2.12'],
      ['web', '192.0.2.11'],
    ]);
    const held = await allocations();
    expect(held.map(a => [a.serviceName, a.address, a.owner]).sort()).toEqual([
      ['api', '192.0.2.12', 'group:default/team-legacy'],
      ['web', '192.0.2.11', 'group:default/team-shop'],
    ]);

    const audit = (
      await request(server).get('/api/exposure/audit').set('Authorization', PAT)
    ).body.items as Array<{ action: string; actor: string }>;
    expect(audit.filter(e => e.action === 'adopted')).toHaveLength(2);
    expect(
      audit
        .filter(e => e.action === 'adopted')
        .every(e => e.actor === 'user:default/pat'),
    ).toBe(true);
    expect(
      auditEvents.filter((e: any) => e.meta?.action === 'adopted'),
    ).toHaveLength(2);

    // The reconciler grants them in the cluster, at the addresses they hold.
    const grants = await eventually('the adopted grants', async () => {
      const items = JSON.parse(
        await cluster.kubectl([
          'get',
          'exposuregrants.portico.dev',
          '-o',
          'json',
        ]),
      ).items as Array<{
        spec: { service: { name: string }; addresses: string[] };
      }>;
      return items.length === 2 && items;
    });
    expect(
      grants.map(g => [g.spec.service.name, g.spec.addresses]).sort(),
    ).toEqual([
      ['api', ['192.0.2.12']],
      ['web', ['192.0.2.11']],
    ]);

    // Adopted once: a new dry run lists them as managed already.
    const again: AdoptionReport = (await adoption(PAT, {})).body;
    expect(again.adopt).toEqual([]);
    expect(
      again.skipped
        .filter(s => s.reason === 'already-managed')
        .map(s => s.serviceName)
        .sort(),
    ).toEqual(['api', 'web']);
  });
});
