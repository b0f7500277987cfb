import { afterEach, describe, expect, it, jest } from '@jest/globals';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { ALICE, rawTestConfig, testDatabases } from './__testUtils__/fixtures';
import { as, startExposureBackend } from './__testUtils__/testBackend';

jest.setTimeout(180_000);

const databases = testDatabases();

/** The test config plus an automatic pool of exactly 100 addresses. */
const burstConfig = {
  ...rawTestConfig,
  pools: [
    ...rawTestConfig.pools,
    {
      name: 'burst',
      segment: 'dc1-internal',
      intent: 'internal',
      addresses: ['10.50.2.1-10.50.2.100'],
      policy: { approval: 'automatic' },
    },
    {
      name: 'quota',
      segment: 'dc1-internal',
      intent: 'internal',
      addresses: ['10.50.3.1-10.50.3.50'],
      policy: { approval: 'automatic', quotaPerTeam: 3 },
    },
  ],
};

function burstBody(i: number) {
  return {
    entityRef: `component:default/svc-${i}`,
    owner: 'group:default/team-payments',
    cluster: 'demo',
    namespace: 'payments',
    serviceName: `svc-${i}`,
    ports: [{ port: 8080 }],
    pool: 'burst',
  };
}

type Backend = Awaited<ReturnType<typeof startExposureBackend>>;

/** `count` requests at once, spread over the servers in turn. */
async function burst(
  servers: Backend['server'][],
  count: number,
  body: (i: number) => object,
  idempotencyKey?: string,
) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const call = request(servers[i % servers.length])
        .post('/api/exposure/requests')
        .set('Authorization', as(ALICE));
      if (idempotencyKey) call.set('Idempotency-Key', idempotencyKey);
      return call.send(body(i));
    }),
  );
}

async function fire(servers: Backend['server'][], count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      request(servers[i % servers.length])
        .post('/api/exposure/requests')
        .set('Authorization', as(ALICE))
        .send(burstBody(i)),
    ),
  );
}

function expectExactlyOneWinnerPerAddress(
  responses: Awaited<ReturnType<typeof fire>>,
) {
  const statuses = responses.map(r => r.status);
  const active = responses.filter(r => r.status === 201);
  const refused = responses.filter(r => r.status === 409);
  expect(active).toHaveLength(100);
  expect(refused).toHaveLength(100);
  expect(statuses.filter(s => s !== 201 && s !== 409)).toEqual([]);
  const addresses = active.map(r => r.body.address);
  expect(new Set(addresses).size).toBe(100);
  expect(active.every(r => r.body.state === 'active')).toBe(true);
  for (const r of refused) {
    expect(r.body.error.message).toBe(
      'pool "burst" is exhausted: no free address left',
    );
  }
  return addresses;
}

describe.each(databases.eachSupportedId())(
  'concurrent allocation on %p',
  databaseId => {
    const started: Backend[] = [];
    const extraKnex: Knex[] = [];
    afterEach(async () => {
      await Promise.all(started.splice(0).map(b => b.stop()));
      await Promise.all(extraKnex.splice(0).map(k => k.destroy()));
    });

    it('gives 200 simultaneous requests 100 distinct addresses and 100 clear refusals', async () => {
      const knex = await databases.init(databaseId);
      const backend = await startExposureBackend(knex, burstConfig);
      started.push(backend);
      const addresses = expectExactlyOneWinnerPerAddress(
        await fire([backend.server], 200),
      );
      expect([...addresses].sort()).toEqual(
        Array.from({ length: 100 }, (_, i) => `10.50.2.${i + 1}`).sort(),
      );
      const [{ n }] = await knex('exposure_leases')
        .where({ pool: 'burst' })
        .count({ n: '*' });
      expect(Number(n)).toBe(100);
      const verify = await request(backend.server)
        .get('/api/exposure/audit/verify')
        .set('Authorization', as('user:default/pat'));
      expect(verify.body).toEqual({ valid: true, checked: 300 });
    });

    if (databaseId.startsWith('POSTGRES')) {
      it('stays correct with two backend replicas on one PostgreSQL', async () => {
        const knex = await databases.init(databaseId);
        // A second, independent connection pool to the same database: a replica.
        const replicaKnex = knexFactory({
          client: 'pg',
          connection: knex.client.config.connection,
        });
        extraKnex.push(replicaKnex);
        const first = await startExposureBackend(knex, burstConfig);
        started.push(first);
        const second = await startExposureBackend(replicaKnex, burstConfig);
        started.push(second);
        const responses = await fire([first.server, second.server], 200);
        expectExactlyOneWinnerPerAddress(responses);
        const winnersByReplica = [0, 1].map(
          k =>
            responses.filter((r, i) => i % 2 === k && r.status === 201).length,
        );
        // Both replicas handed out addresses: the race was real.
        expect(winnersByReplica.every(n => n > 0)).toBe(true);
        const rows = await knex('exposure_allocations').count({ n: '*' });
        expect(Number(rows[0].n)).toBe(100);
        const verify = await request(first.server)
          .get('/api/exposure/audit/verify')
          .set('Authorization', as('user:default/pat'));
        expect(verify.body).toEqual({ valid: true, checked: 300 });
      });
    }

    /** One backend, or two replicas on PostgreSQL (where the race is real). */
    async function replicas() {
      const knex = await databases.init(databaseId);
      const first = await startExposureBackend(knex, burstConfig);
      started.push(first);
      if (!databaseId.startsWith('POSTGRES')) return [first.server];
      const replicaKnex = knexFactory({
        client: 'pg',
        connection: knex.client.config.connection,
      });
      extraKnex.push(replicaKnex);
      const second = await startExposureBackend(replicaKnex, burstConfig);
      started.push(second);
      return [first.server, second.server];
    }

    it('lets one of 20 simultaneous requests for one Service in, and refuses the rest naming it', async () => {
      const servers = await replicas();
      const answers = await burst(servers, 20, () => ({
        ...burstBody(0),
        ports: [{ port: 443 }],
      }));
      const created = answers.filter(a => a.status === 201);
      expect(created).toHaveLength(1);
      const refused = answers.filter(a => a.status === 409);
      expect(refused).toHaveLength(19);
      for (const r of refused) {
        expect(r.body.error.message).toContain(created[0].body.id);
      }
    });

    it("holds a team's quota of 3 under 20 simultaneous requests", async () => {
      const servers = await replicas();
      const answers = await burst(servers, 20, i => ({
        ...burstBody(i),
        pool: 'quota',
      }));
      expect(answers.filter(a => a.status === 201)).toHaveLength(3);
      const refused = answers.filter(a => a.status === 403);
      expect(refused).toHaveLength(17);
      expect(refused[0].body.error.message).toContain('quota of 3');
    });

    it('creates one request for 12 simultaneous retries with one Idempotency-Key', async () => {
      const servers = await replicas();
      const answers = await burst(servers, 12, () => burstBody(1), 'retry-1');
      expect(answers.map(a => a.status)).toEqual(Array(12).fill(201));
      expect(new Set(answers.map(a => a.body.id)).size).toBe(1);
      expect(new Set(answers.map(a => a.body.address)).size).toBe(1);
    });
  },
);
