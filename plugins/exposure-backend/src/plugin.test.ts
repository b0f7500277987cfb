import { describe, expect, it, jest, afterEach } from '@jest/globals';
import type { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import SwaggerParser from '@apidevtools/swagger-parser';
import { join } from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import {
  ALICE,
  PAT,
  SAM,
  rawTestConfig,
  testDatabases,
} from './__testUtils__/fixtures';
import {
  expectResponseMatchesSpec,
  specOperations,
} from './__testUtils__/openApiSpec';
import { as, startExposureBackend } from './__testUtils__/testBackend';
import { createRouter } from './service/router';

jest.setTimeout(60_000);

const databases = testDatabases();

const body = {
  entityRef: 'component:default/edge-api',
  owner: 'group:default/team-payments',
  cluster: 'demo',
  namespace: 'payments',
  serviceName: 'edge-api',
  ports: [{ port: 443, protocol: 'TCP' }],
  pool: 'prod-external',
  justification: 'public checkout API',
};

describe('router and openapi.yaml', () => {
  it('is a valid OpenAPI 3.0 document', async () => {
    const api: any = await SwaggerParser.validate(
      join(__dirname, '../openapi.yaml'),
    );
    expect(api.openapi).toBe('3.0.3');
  });

  it('serves exactly the operations the document declares', async () => {
    const router: any = await createRouter({} as any);
    const served = router.stack
      .filter((layer: any) => layer.route)
      .flatMap((layer: any) =>
        Object.keys(layer.route.methods).map(
          m =>
            `${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`,
        ),
      )
      .sort();
    expect(served).toEqual(specOperations().sort());
  });
});

describe.each(databases.eachSupportedId())(
  'exposure plugin on %p',
  databaseId => {
    let backend: Awaited<ReturnType<typeof startExposureBackend>> | undefined;
    afterEach(async () => {
      await backend?.stop();
      backend = undefined;
    });

    async function start() {
      backend = await startExposureBackend(await databases.init(databaseId));
      return backend.server;
    }

    async function call(
      server: any,
      method: 'get' | 'post',
      path: string,
      specPath: string,
      user: string,
      payload?: object,
    ) {
      const req = request(server)
        [method](`/api/exposure${path}`)
        .set('Authorization', as(user));
      const res = payload ? await req.send(payload) : await req;
      expectResponseMatchesSpec(method, specPath, res);
      return res;
    }

    it('lets other backend plugins read, but only people ask or decide', async () => {
      const server = await start();
      const plugin = mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('plugin:catalog'),
        targetPluginId: 'exposure',
      });
      const pools = await request(server)
        .get('/api/exposure/pools')
        .set('Authorization', plugin);
      expect(pools.status).toBe(200);
      expect(pools.body.items.length).toBeGreaterThan(0);
      const allocations = await request(server)
        .get('/api/exposure/allocations')
        .set('Authorization', plugin);
      expect(allocations.status).toBe(200);
      const created = await request(server)
        .post('/api/exposure/requests')
        .set('Authorization', plugin)
        .send(body);
      expect(created.status).toBe(403);
    });

    it('runs a request from creation to release through HTTP, as documented', async () => {
      const server = await start();
      expect((await request(server).get('/api/exposure/health')).body).toEqual({
        status: 'ok',
      });
      await call(server, 'get', '/segments', '/segments', ALICE);
      const pools = await call(server, 'get', '/pools', '/pools', ALICE);
      expect(pools.body.items.map((p: any) => p.name)).toEqual([
        'prod-external',
        'internal',
        'scratch',
        'v6-internal',
      ]);
      await call(server, 'get', '/pools/internal', '/pools/{name}', ALICE);

      const dry = await call(server, 'post', '/requests', '/requests', ALICE, {
        ...body,
        dryRun: true,
      });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({
        dryRun: true,
        verdict: 'needs-approval',
      });

      const created = await call(
        server,
        'post',
        '/requests',
        '/requests',
        ALICE,
        body,
      );
      expect(created.status).toBe(201);
      const id = created.body.id;
      await call(server, 'get', `/requests/${id}`, '/requests/{id}', ALICE);

      const self = await call(
        server,
        'post',
        `/requests/${id}/approve`,
        '/requests/{id}/approve',
        ALICE,
        {},
      );
      expect(self.status).toBe(403);

      const approved = await call(
        server,
        'post',
        `/requests/${id}/approve`,
        '/requests/{id}/approve',
        PAT,
        { comment: 'ok' },
      );
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        state: 'active',
        address: '10.40.20.120',
      });

      const inventory = await call(
        server,
        'get',
        '/allocations?pool=prod-external',
        '/allocations',
        SAM,
      );
      expect(inventory.body.items).toEqual([
        expect.objectContaining({ address: '10.40.20.120', requestId: id }),
      ]);
      const listed = await call(
        server,
        'get',
        '/requests?state=active',
        '/requests',
        SAM,
      );
      expect(listed.body.items.map((r: any) => r.id)).toEqual([id]);

      const bySam = await call(
        server,
        'post',
        `/requests/${id}/release`,
        '/requests/{id}/release',
        SAM,
        {},
      );
      expect(bySam.status).toBe(403);
      expect(bySam.body.error.message).toMatch(
        /only members of group:default\/team-payments/,
      );
      const released = await call(
        server,
        'post',
        `/requests/${id}/release`,
        '/requests/{id}/release',
        ALICE,
        {},
      );
      expect(released.body.state).toBe('released');

      const audit = await call(
        server,
        'get',
        `/audit?subjectId=${id}`,
        '/audit',
        PAT,
      );
      expect(audit.body.items.map((e: any) => e.action)).toEqual([
        'request.released',
        'request.active',
        'request.approved',
        'request.created',
      ]);
      expect(
        (await call(server, 'get', '/audit', '/audit', ALICE)).status,
      ).toBe(403);
      const verify = await call(
        server,
        'get',
        '/audit/verify',
        '/audit/verify',
        PAT,
      );
      expect(verify.body).toEqual({ valid: true, checked: 4 });
    });

    it('rejects through HTTP, and lets only admins decide', async () => {
      const server = await start();
      const id = (
        await call(server, 'post', '/requests', '/requests', ALICE, body)
      ).body.id;
      const bySam = await call(
        server,
        'post',
        `/requests/${id}/reject`,
        '/requests/{id}/reject',
        SAM,
        { comment: 'no' },
      );
      expect(bySam.status).toBe(403);
      const rejected = await call(
        server,
        'post',
        `/requests/${id}/reject`,
        '/requests/{id}/reject',
        PAT,
        { comment: 'use internal' },
      );
      expect(rejected.body).toMatchObject({
        state: 'rejected',
        decisionComment: 'use internal',
      });
      const again = await call(
        server,
        'post',
        `/requests/${id}/approve`,
        '/requests/{id}/approve',
        PAT,
        {},
      );
      expect(again.status).toBe(409);
    });

    it('exports the pool table as JSON and CSV', async () => {
      const server = await start();
      const json = await call(
        server,
        'get',
        '/export/pools',
        '/export/pools',
        ALICE,
      );
      expect(json.body.items[0]).toEqual({
        pool: 'prod-external',
        range: '10.40.20.120-10.40.20.139',
        segment: 'dc1-edge',
        vlan: '420',
        intent: 'production-external',
        riskClass: 'high: reachable from outside, production traffic',
        owners: 'group:default/team-payments group:default/team-search',
        total: '20',
        allocated: '0',
        reserved: '0',
        free: '20',
      });
      const csv = await request(server)
        .get('/api/exposure/export/pools?format=csv')
        .set('Authorization', as(ALICE));
      expect(csv.type).toBe('text/csv');
      const lines = csv.text.split('\r\n');
      expect(lines[0]).toBe(
        'pool,range,segment,vlan,intent,riskClass,owners,total,allocated,reserved,free',
      );
      expect(lines[1]).toBe(
        'prod-external,10.40.20.120-10.40.20.139,dc1-edge,420,production-external,"high: reachable from outside, production traffic",group:default/team-payments group:default/team-search,20,0,0,20',
      );
    });

    it('answers bad input with a 400 naming the field, never a 500', async () => {
      const server = await start();
      const cases: [object | string, RegExp][] = [
        [
          { ...body, address: '10.40.20.300' },
          /address: "10.40.20.300" is not a valid IPv4 or IPv6 address/,
        ],
        [
          { ...body, ports: [{ port: 70000 }] },
          /ports\[0\]\.port: must be a port between 1 and 65535/,
        ],
        [
          { ...body, ports: [{ port: '443' }] },
          /ports\[0\]\.port: must be a port number/,
        ],
        [{ ...body, ports: 'all' }, /ports: Expected array, received string/],
        [{ ...body, pool: 'nope' }, /pool: unknown pool "nope"/],
        [{ ...body, pool: undefined }, /pool: give a pool or an intent/],
        [
          { ...body, owner: 'group:default/Not Valid' },
          /owner: must be a group entity ref/,
        ],
        [
          { ...body, expiresAt: 'tomorrow' },
          /expiresAt: must be an ISO 8601 date-time/,
        ],
        [{ ...body, extra: 1 }, /Unrecognized key\(s\) in object: 'extra'/],
        [
          { ...body, justification: 'x'.repeat(70_000) },
          /request body: is larger than 64kb/,
        ],
        ['{"entityRef": ', /request body: is not valid JSON/],
      ];
      for (const [payload, message] of cases) {
        const req = request(server)
          .post('/api/exposure/requests')
          .set('Authorization', as(ALICE));
        const res =
          typeof payload === 'string'
            ? await req.set('Content-Type', 'application/json').send(payload)
            : await req.send(payload);
        expect([res.status, res.body.error?.message]).toEqual([
          400,
          expect.stringMatching(message),
        ]);
      }
      const badQuery = await request(server)
        .get('/api/exposure/requests?state=happy')
        .set('Authorization', as(ALICE));
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.error.message).toMatch(/state: Invalid enum value/);
      // The document declares this 400 too (schemathesis found it missing).
      const badId = await call(
        server,
        'get',
        '/requests/not-an-id',
        '/requests/{id}',
        ALICE,
      );
      expect([badId.status, badId.body.error.message]).toEqual([
        400,
        expect.stringMatching(/id: must be a request id/),
      ]);
      const missing = await call(
        server,
        'get',
        '/requests/00000000-0000-0000-0000-000000000000',
        '/requests/{id}',
        ALICE,
      );
      expect(missing.status).toBe(404);
      const badCsv = await request(server)
        .get('/api/exposure/export/pools?format=xls')
        .set('Authorization', as(ALICE));
      expect(badCsv.status).toBe(400);
    });

    it('never answers a 500, whatever the body', async () => {
      const server = await start();
      // Valid bodies with fields replaced by arbitrary JSON, and arbitrary JSON.
      const field = fc.constantFrom(
        ...Object.keys(body),
        'address',
        'expiresAt',
        'intent',
      );
      const mutated = fc
        .tuple(field, fc.jsonValue())
        .map(([key, value]) => ({ ...body, [key]: value }));
      const bodies = fc.sample(fc.oneof(mutated, fc.jsonValue()), {
        numRuns: 60,
        seed: 42,
      });
      const statuses = new Set<number>();
      for (const payload of bodies) {
        const res = await request(server)
          .post('/api/exposure/requests')
          .set('Authorization', as(ALICE))
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(payload));
        statuses.add(res.status);
        if (res.status >= 500) {
          throw new Error(`500 for ${JSON.stringify(payload)}: ${res.text}`);
        }
      }
      expect([...statuses].every(s => [201, 400, 403, 409].includes(s))).toBe(
        true,
      );
      expect(statuses.has(400)).toBe(true);
    });

    it('refuses requests for a group the user is not in, and anonymous callers', async () => {
      const server = await start();
      const res = await call(
        server,
        'post',
        '/requests',
        '/requests',
        SAM,
        body,
      );
      expect([res.status, res.body.error.message]).toEqual([
        403,
        'owner: you are not a member of group:default/team-payments',
      ]);
      const anonymous = await request(server)
        .get('/api/exposure/pools')
        .set('Authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    });

    it('denies with every guardrail reason', async () => {
      const server = await start();
      const res = await call(server, 'post', '/requests', '/requests', ALICE, {
        ...body,
        namespace: 'payments',
        ports: [{ port: 22 }],
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'request denied: port 22/TCP is not allowed in pool "prod-external" (allowed: 80, 443)',
      );
      const dry = await call(server, 'post', '/requests', '/requests', SAM, {
        ...body,
        entityRef: 'component:default/search-api',
        owner: 'group:default/team-search',
        pool: 'v6-internal',
        dryRun: true,
      });
      expect(dry.body).toMatchObject({ verdict: 'allow', pool: 'v6-internal' });
    });

    it('expires a temporary exposure through its scheduled task', async () => {
      let task: SchedulerServiceTaskInvocationDefinition | undefined;
      const scheduler = mockServices.scheduler.mock({
        async scheduleTask(definition) {
          task = definition;
        },
      });
      backend = await startExposureBackend(
        await databases.init(databaseId),
        { ...rawTestConfig, expiry: { intervalSeconds: 30 } },
        [scheduler.factory],
      );
      expect(task).toMatchObject({
        id: 'exposure-expiry',
        frequency: { seconds: 30 },
      });
      const server = backend.server;
      const created = await call(
        server,
        'post',
        '/requests',
        '/requests',
        ALICE,
        {
          ...body,
          pool: 'scratch',
          ports: [{ port: 22 }],
          expiresAt: new Date(Date.now() + 1000).toISOString(),
        },
      );
      expect(created.body.state).toBe('active');
      await task!.fn(new AbortController().signal);
      const early = await call(
        server,
        'get',
        `/requests/${created.body.id}`,
        '/requests/{id}',
        ALICE,
      );
      expect(early.body.state).toBe('active');

      await new Promise(resolve => setTimeout(resolve, 1100));
      await task!.fn(new AbortController().signal);
      const late = await call(
        server,
        'get',
        `/requests/${created.body.id}`,
        '/requests/{id}',
        ALICE,
      );
      expect(late.body).toMatchObject({
        state: 'expired',
        releasedBy: 'system:portico',
      });
      const inventory = await call(
        server,
        'get',
        '/allocations?pool=scratch',
        '/allocations',
        ALICE,
      );
      expect(inventory.body.items).toEqual([]);
    });
  },
);
