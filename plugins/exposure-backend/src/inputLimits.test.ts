import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import request from 'supertest';
import {
  ALICE,
  PAT,
  TestClock,
  createTestService,
  requestBody,
  testDatabases,
} from './__testUtils__/fixtures';
import { as, startExposureBackend } from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = testDatabases();

const body = {
  entityRef: 'component:default/edge-api',
  owner: 'group:default/team-payments',
  cluster: 'demo',
  namespace: 'payments',
  serviceName: 'edge-api',
  ports: [{ port: 8080, protocol: 'TCP' }],
  pool: 'internal',
  justification: 'internal API',
};

const HOUR = 3_600_000;

describe.each(databases.eachSupportedId())('input limits on %p', databaseId => {
  let backend: Awaited<ReturnType<typeof startExposureBackend>> | undefined;
  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  async function start() {
    backend = await startExposureBackend(await databases.init(databaseId));
    return backend.server;
  }

  it('answers 400 naming the field for a NUL byte, in bodies and queries', async () => {
    const server = await start();
    const post = (path: string, payload: object) =>
      request(server)
        .post(`/api/exposure${path}`)
        .set('Authorization', as(ALICE))
        .send(payload);

    for (const field of ['justification', 'entityRef'] as const) {
      const res = await post('/requests', {
        ...body,
        [field]: `${body[field]}\u0000x`,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        `${field}: must not contain a NUL character`,
      );
    }

    const created = await post('/requests', {
      ...body,
      pool: 'prod-external',
      ports: [{ port: 443 }],
    });
    expect(created.status).toBe(201);
    const reject = await request(server)
      .post(`/api/exposure/requests/${created.body.id}/reject`)
      .set('Authorization', as(PAT))
      .send({ comment: 'no\u0000' });
    expect(reject.status).toBe(400);
    expect(reject.body.error.message).toContain('comment:');

    for (const query of [
      'requests?entityRef=component%3Adefault%2Fa%00b',
      'audit?actor=pat%00',
    ]) {
      const res = await request(server)
        .get(`/api/exposure/${query}`)
        .set('Authorization', as(PAT));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'must not contain a NUL character',
      );
    }
    // Nothing of the refused calls was stored.
    const listed = await request(server)
      .get('/api/exposure/requests')
      .set('Authorization', as(ALICE));
    expect(listed.body.items).toHaveLength(1);
  });

  it('refuses an owner longer than the column, in the dry run too', async () => {
    const server = await start();
    const owner = `group:default/${'t'.repeat(250)}`;
    for (const dryRun of [true, false]) {
      const res = await request(server)
        .post('/api/exposure/requests')
        .set('Authorization', as(PAT))
        .send({ ...body, owner, dryRun });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'owner: must be at most 255 characters',
      );
    }
  });

  it('answers 400 for a path that is not valid percent-encoding', async () => {
    const server = await start();
    for (const path of ['requests/%ZZ', 'requests/%ZZ/approve']) {
      const res = await request(server)
        [path.endsWith('approve') ? 'post' : 'get'](`/api/exposure/${path}`)
        .set('Authorization', as(PAT))
        .send({});
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('percent-encoding');
    }
  });

  it('refuses expiries past the year 9999 and beyond the global maximum', async () => {
    const server = await start();
    const farOff = await request(server)
      .post('/api/exposure/requests')
      .set('Authorization', as(ALICE))
      .send({ ...body, expiresAt: '9999-12-31T23:59:59-23:59' });
    expect(farOff.status).toBe(400);
    expect(farOff.body.error.message).toContain(
      'expiresAt: must be before the year 10000 in UTC',
    );

    const elevenYears = new Date(Date.now() + 11 * 366 * 24 * HOUR);
    const tooLong = await request(server)
      .post('/api/exposure/requests')
      .set('Authorization', as(ALICE))
      .send({ ...body, dryRun: true, expiresAt: elevenYears.toISOString() });
    expect(tooLong.status).toBe(200);
    expect(tooLong.body).toMatchObject({
      verdict: 'deny',
      reasons: [
        expect.objectContaining({
          code: 'lifetime-too-long',
          message: expect.stringContaining(
            'no exposure may last more than 87600 h',
          ),
        }),
      ],
    });
  });

  it('expires by instant: an offset or a distant year never expires early', async () => {
    const clock = new TestClock();
    const { service, store } = await createTestService(
      await databases.init(databaseId),
      clock,
    );
    // 9 years away, written with a negative offset: as text it would sort
    // differently from the instant it names.
    const distant = await service.createRequest(
      ALICE,
      requestBody({
        pool: 'internal',
        ports: [{ port: 8080 }],
        expiresAt: '2035-11-25T00:00:00-23:59',
      }),
    );
    const soon = await service.createRequest(
      ALICE,
      requestBody({
        pool: 'internal',
        serviceName: 'soon',
        ports: [{ port: 8081 }],
        expiresAt: new Date(clock.current.getTime() + HOUR).toISOString(),
      }),
    );
    expect(distant.state).toBe('active');
    expect(distant.expiresAt).toBe('2035-11-25T23:59:00.000Z');

    clock.advance(HOUR / 2);
    expect(await service.expireDue()).toBe(0);
    clock.advance(HOUR);
    expect(await service.expireDue()).toBe(1);
    expect((await store.getRequest(soon.id))?.state).toBe('expired');
    expect((await store.getRequest(distant.id))?.state).toBe('active');

    clock.current = new Date('2035-11-25T23:58:59.000Z');
    expect(await service.expireDue()).toBe(0);
    clock.advance(1000);
    expect(await service.expireDue()).toBe(1);
    expect((await store.getRequest(distant.id))?.state).toBe('expired');
  });

  it('gives rows stored before the migration their expiry instant', async () => {
    const knex = await databases.init(databaseId);
    const directory = resolvePackagePath(
      '@portico/plugin-exposure-backend',
      'migrations',
    );
    const clock = new TestClock();
    const { service, store } = await createTestService(knex, clock);
    const active = await service.createRequest(
      ALICE,
      requestBody({
        pool: 'internal',
        ports: [{ port: 8080 }],
        expiresAt: new Date(clock.current.getTime() + HOUR).toISOString(),
      }),
    );
    // Back to the schema before expiry instants, then forward again.
    await knex.migrate.down({ directory });
    await knex.migrate.down({ directory });
    expect(
      await knex.schema.hasColumn('exposure_requests', 'expires_at_ms'),
    ).toBe(false);
    await knex.migrate.latest({ directory });
    const row = await knex('exposure_requests').where('id', active.id).first();
    expect(Number(row.expires_at_ms)).toBe(Date.parse(active.expiresAt!));
    clock.advance(2 * HOUR);
    expect(await service.expireDue()).toBe(1);
    expect((await store.getRequest(active.id))?.state).toBe('expired');
  });
});
