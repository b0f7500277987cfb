import { describe, expect, it, jest } from '@jest/globals';
import { mockServices } from '@backstage/backend-test-utils';
import {
  addressKey,
  exposureConfigSchema,
  parseAddress,
} from '@portico/plugin-exposure-common';
import {
  ALICE,
  rawTestConfig,
  requestBody,
  testDatabases,
} from '../__testUtils__/fixtures';
import { DatabaseExposureStore } from '../database/DatabaseExposureStore';
import { ExposureService } from './ExposureService';

jest.setTimeout(60_000);

const databases = testDatabases();

const config = exposureConfigSchema.parse({
  ...rawTestConfig,
  pools: [
    ...rawTestConfig.pools,
    {
      name: 'five',
      segment: 'dc1-internal',
      intent: 'internal',
      addresses: ['10.50.9.1-10.50.9.5'],
      policy: { approval: 'automatic' },
    },
  ],
});

const owner = 'group:default/team-payments';

function body(i: number, pool: string) {
  return requestBody({
    pool,
    serviceName: `svc-${i}`,
    entityRef: `component:default/svc-${i}`,
    ports: [{ port: 8080 }],
  });
}

describe.each(databases.eachSupportedId())('allocation on %p', databaseId => {
  async function setup() {
    const knex = await databases.init(databaseId);
    const store = await DatabaseExposureStore.create({
      database: mockServices.database({ knex }),
    });
    const replica = () =>
      new ExposureService({
        store,
        config,
        logger: mockServices.logger.mock(),
      });
    return { knex, replica };
  }

  it('reads a handful of leases per allocation in a pool 90 % full, not the pool', async () => {
    const { knex, replica } = await setup();
    // 10.50.1.1-10.50.1.229 held: 229 of the 254 usable addresses.
    const held = Array.from({ length: 229 }, (_, i) => {
      const address = `10.50.1.${i + 1}`;
      return {
        segment: 'dc1-internal',
        address,
        family: 4,
        address_key: addressKey(4, parseAddress(address).value),
        pool: 'internal',
        owner,
        created_at: '2026-12-01T00:00:00.000Z',
      };
    });
    await knex.batchInsert('exposure_leases', held, 100);
    let leaseRowsRead = 0;
    knex.on('query-response', (rows: unknown, query: { sql: string }) => {
      if (/from [`"]?exposure_leases/i.test(query.sql) && Array.isArray(rows)) {
        leaseRowsRead += rows.length;
      }
    });
    const service = replica();
    // A replica's first allocation in a pool reads up to the first gap.
    const first = await service.createRequest(ALICE, body(0, 'internal'));
    expect(first.address).toBe('10.50.1.230');
    expect(leaseRowsRead).toBeGreaterThanOrEqual(229);

    leaseRowsRead = 0;
    const next = [];
    for (let i = 1; i <= 10; i++) {
      next.push(
        (await service.createRequest(ALICE, body(i, 'internal'))).address,
      );
    }
    expect(next).toEqual(
      Array.from({ length: 10 }, (_, i) => `10.50.1.${231 + i}`),
    );
    // The pool's 239 leases were not read again: a few rows per allocation.
    expect(leaseRowsRead).toBeLessThan(40);
    knex.removeAllListeners('query-response');
  });

  it('hands out what another replica released once the rest of the pool is used', async () => {
    const { replica } = await setup();
    const one = replica();
    const two = replica();
    const held = [];
    for (let i = 0; i < 3; i++) {
      held.push(await one.createRequest(ALICE, body(i, 'five')));
    }
    expect(held.map(r => r.address)).toEqual([
      '10.50.9.1',
      '10.50.9.2',
      '10.50.9.3',
    ]);
    await two.release(ALICE, held[0].id, 'done', {
      ownershipRefs: [owner],
      releaseAny: false,
    });
    const after = [];
    for (let i = 3; i < 6; i++) {
      after.push((await one.createRequest(ALICE, body(i, 'five'))).address);
    }
    // Next fit: .4 and .5 first, then the start of the pool again.
    expect(after).toEqual(['10.50.9.4', '10.50.9.5', '10.50.9.1']);
    await expect(one.createRequest(ALICE, body(6, 'five'))).rejects.toThrow(
      'is exhausted',
    );
  });

  it('gives a released address back at once on the replica that released it', async () => {
    const { replica } = await setup();
    const service = replica();
    const a = await service.createRequest(ALICE, body(0, 'five'));
    await service.createRequest(ALICE, body(1, 'five'));
    await service.release(ALICE, a.id, 'done', {
      ownershipRefs: [owner],
      releaseAny: false,
    });
    const again = await service.createRequest(ALICE, body(2, 'five'));
    expect(again.address).toBe(a.address);
  });
});
