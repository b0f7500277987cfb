import { afterEach, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { ALICE, PAT, SAM, testDatabases } from './__testUtils__/fixtures';
import { as, startExposureBackend } from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = testDatabases();

/** An automatically approved internal exposure. */
const body = {
  entityRef: 'component:default/edge-api',
  owner: 'group:default/team-payments',
  cluster: 'demo',
  namespace: 'payments',
  serviceName: 'edge-api',
  ports: [{ port: 8080, protocol: 'TCP', targetPort: 'http', name: 'web' }],
  pool: 'internal',
  justification: 'internal API',
};

describe.each(databases.eachSupportedId())(
  'request rules on %p',
  databaseId => {
    const backends: Awaited<ReturnType<typeof startExposureBackend>>[] = [];
    afterEach(async () => {
      await Promise.all(backends.splice(0).map(b => b.stop()));
    });

    /** `replicas` backends on one database, as replicas of one deployment are. */
    async function start(replicas = 1) {
      const knex = await databases.init(databaseId);
      for (let i = 0; i < replicas; i++) {
        backends.push(await startExposureBackend(knex));
      }
      return backends.map(b => b.server);
    }

    const post = (
      server: Awaited<ReturnType<typeof start>>[number],
      path: string,
      payload: object,
      user = ALICE,
    ) =>
      request(server)
        .post(`/api/exposure${path}`)
        .set('Authorization', as(user))
        .send(payload);

    const allocationsOf = async (
      server: Awaited<ReturnType<typeof start>>[number],
    ) =>
      (
        await request(server)
          .get('/api/exposure/allocations')
          .set('Authorization', as(PAT))
      ).body.items as { requestId: string; address: string }[];

    it("refuses to expose another team's component or one the catalog does not know", async () => {
      const [server] = await start();
      for (const dryRun of [true, false]) {
        const foreign = await post(server, '/requests', {
          ...body,
          entityRef: 'component:default/search-api',
          dryRun,
        });
        expect(foreign.status).toBe(403);
        expect(foreign.body.error.message).toBe(
          'entityRef: component:default/search-api is owned by group:default/team-search, not group:default/team-payments; only its owner may expose it',
        );
      }
      const unknown = await post(server, '/requests', {
        ...body,
        entityRef: 'component:default/ghost',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe(
        'entityRef: component:default/ghost is not in the catalog',
      );
      const notComponent = await post(server, '/requests', {
        ...body,
        entityRef: 'group:default/team-payments',
      });
      expect(notComponent.status).toBe(400);
      expect(notComponent.body.error.message).toContain('is not a Component');
      // sam owns search-api and may expose it; a platform admin may act for any team.
      const own = await post(
        server,
        '/requests',
        {
          ...body,
          entityRef: 'component:default/search-api',
          owner: 'group:default/team-search',
          serviceName: 'search-api',
          pool: 'prod-external',
          ports: [{ port: 443 }],
        },
        SAM,
      );
      expect(own.status).toBe(201);
      const byAdmin = await post(
        server,
        '/requests',
        { ...body, entityRef: 'component:default/ghost', dryRun: true },
        PAT,
      );
      expect(byAdmin.status).toBe(200);
      const listed = await request(server)
        .get('/api/exposure/requests')
        .set('Authorization', as(PAT));
      expect(listed.body.items).toHaveLength(1);
    });

    it('keeps ports as the Service has them: target port and name', async () => {
      const [server] = await start();
      const created = await post(server, '/requests', body);
      expect(created.status).toBe(201);
      const stored = await request(server)
        .get(`/api/exposure/requests/${created.body.id}`)
        .set('Authorization', as(ALICE));
      expect(stored.body.ports).toEqual([
        { port: 8080, protocol: 'TCP', targetPort: 'http', name: 'web' },
      ]);
      const bad = await post(server, '/requests', {
        ...body,
        serviceName: 'other',
        ports: [{ port: 80, targetPort: 'Not A Name' }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain(
        'ports[0].targetPort: must be a port name',
      );
    });

    it('refuses a second open request for the same Service, naming the first', async () => {
      const [server] = await start();
      const pending = await post(server, '/requests', {
        ...body,
        pool: 'prod-external',
        ports: [{ port: 443, targetPort: 8443 }],
      });
      expect(pending.body.state).toBe('pending');

      const again = await post(server, '/requests', {
        ...body,
        pool: 'prod-external',
        ports: [{ port: 443, targetPort: 8443 }],
      });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(pending.body.id);
      const dry = await post(server, '/requests', { ...body, dryRun: true });
      expect(dry.body).toMatchObject({
        verdict: 'deny',
        reasons: [
          expect.objectContaining({
            code: 'duplicate-request',
            message: expect.stringContaining(pending.body.id),
          }),
        ],
      });

      // Once decided, the Service may be asked for again.
      await post(server, `/requests/${pending.body.id}/reject`, {}, PAT);
      const after = await post(server, '/requests', body);
      expect(after.status).toBe(201);
    });

    it('lets a change replace the active request and keep its address', async () => {
      const [server] = await start();
      const first = await post(server, '/requests', body);
      expect(first.body.state).toBe('active');

      const plain = await post(server, '/requests', body);
      expect(plain.status).toBe(409);
      expect(plain.body.error.message).toContain(
        `"replaces": "${first.body.id}"`,
      );

      const change = await post(server, '/requests', {
        ...body,
        ports: [...body.ports, { port: 8443, protocol: 'TCP' }],
        replaces: first.body.id,
      });
      expect(change.status).toBe(201);
      expect(change.body).toMatchObject({
        state: 'active',
        replaces: first.body.id,
        address: first.body.address,
      });
      const old = await request(server)
        .get(`/api/exposure/requests/${first.body.id}`)
        .set('Authorization', as(ALICE));
      expect(old.body).toMatchObject({
        state: 'released',
        decisionComment: `replaced by request ${change.body.id}`,
      });
      expect(await allocationsOf(server)).toEqual([
        expect.objectContaining({
          requestId: change.body.id,
          address: first.body.address,
        }),
      ]);

      const stale = await post(server, '/requests', {
        ...body,
        replaces: first.body.id,
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.message).toContain('is released');
      const elsewhere = await post(server, '/requests', {
        ...body,
        serviceName: 'other',
        replaces: change.body.id,
      });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.error.message).toContain(
        'exposes demo/payments/edge-api',
      );
    });

    it('answers a retry with the same Idempotency-Key with the first request, across replicas', async () => {
      const [one, two] = await start(2);
      const key = 'task-7f3c/exposure';
      const send = (server: typeof one) =>
        post(server, '/requests', body).set('Idempotency-Key', key);
      // Concurrent retries on both replicas: one request, one address.
      const answers = await Promise.all([
        send(one),
        send(two),
        send(one),
        send(two),
      ]);
      const ids = new Set(answers.map(a => a.body.id));
      expect(answers.map(a => a.status)).toEqual([201, 201, 201, 201]);
      expect(ids.size).toBe(1);
      expect(
        answers.filter(a => a.headers['idempotent-replayed'] === 'true'),
      ).toHaveLength(3);
      expect(await allocationsOf(one)).toHaveLength(1);

      const reused = await post(one, '/requests', {
        ...body,
        serviceName: 'other',
      }).set('Idempotency-Key', key);
      expect(reused.status).toBe(409);
      expect(reused.body.error.message).toContain('first used for another');

      const bad = await post(one, '/requests', body).set(
        'Idempotency-Key',
        'has space',
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('Idempotency-Key header');
    });
  },
);
