import { describe, expect, it, jest } from '@jest/globals';
import { mockServices } from '@backstage/backend-test-utils';
import {
  ALICE,
  requestBody,
  testConfig,
  testDatabases,
} from '../__testUtils__/fixtures';
import { ExposureService } from '../service/ExposureService';
import {
  DatabaseExposureStore,
  isUniqueViolation,
} from './DatabaseExposureStore';
import { ExposureStore } from './ExposureStore';

jest.setTimeout(60_000);

const databases = testDatabases();

const lease = (address: string) => ({
  segment: 'dc1-internal',
  address,
  family: 4 as const,
  addressKey: '0a320101',
  pool: 'internal',
  owner: 'group:default/team-payments',
  createdAt: '2026-11-25T12:00:00.000Z',
});

/**
 * Checks the database refused the write as a duplicate key. By error code, not
 * class: better-sqlite3 creates its errors in the realm of the first test file
 * that loaded it, so `instanceof Error` fails in later files of a jest worker.
 */
async function expectUniqueViolation(write: PromiseLike<unknown>) {
  let error: unknown;
  try {
    await write;
  } catch (e) {
    error = e;
  }
  expect(isUniqueViolation(error)).toBe(true);
}

describe.each(databases.eachSupportedId())(
  'DatabaseExposureStore on %p',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseExposureStore.create({
        database: mockServices.database({ knex }),
      });
      return { knex, store };
    }

    it('refuses a second active lease of one (segment, address) by constraint', async () => {
      const { store, knex } = await setup();
      await store.transaction(async tx => {
        expect(await tx.tryInsertLease(lease('10.50.1.1'))).toBe(true);
        expect(await tx.tryInsertLease(lease('10.50.1.1'))).toBe(false);
        // The transaction goes on after the refused insert.
        expect(await tx.tryInsertLease(lease('10.50.1.2'))).toBe(true);
      });
      await expectUniqueViolation(
        knex('exposure_leases').insert({
          segment: 'dc1-internal',
          address: '10.50.1.1',
          family: 4,
          address_key: '0a320101',
          pool: 'internal',
          owner: 'group:default/team-search',
          created_at: 'x',
        }),
      );
      const [{ n }] = await knex('exposure_leases').count({ n: '*' });
      expect(Number(n)).toBe(2);
    });

    it('retries on the next address when its view of the pool is stale', async () => {
      const { store } = await setup();
      // A store whose transactions do not see leases: as if another replica
      // had committed them after this one read the pool.
      const stale: ExposureStore = Object.create(store);
      stale.transaction = fn =>
        store.transaction(tx =>
          fn(
            new Proxy(tx, {
              get: (target, key) =>
                key === 'leasedValues'
                  ? async () => []
                  : (target as any)[key].bind(target),
            }),
          ),
        );
      const service = new ExposureService({
        store: stale,
        config: testConfig,
        logger: mockServices.logger.mock(),
      });
      const body = requestBody({ pool: 'internal', ports: [{ port: 8080 }] });
      const first = await service.createRequest(ALICE, body);
      const second = await service.createRequest(ALICE, {
        ...body,
        serviceName: 'b',
      });
      expect([first.address, second.address]).toEqual([
        '10.50.1.1',
        '10.50.1.2',
      ]);
      expect(await store.verifyAuditChain()).toEqual({
        valid: true,
        checked: 6,
      });
    });

    it('keeps ports of one shared address from clashing by constraint', async () => {
      const { store, knex } = await setup();
      const service = new ExposureService({
        store,
        config: testConfig,
        logger: mockServices.logger.mock(),
      });
      const held = await service.createRequest(
        ALICE,
        requestBody({ pool: 'internal', ports: [{ port: 8080 }] }),
      );
      await expectUniqueViolation(
        knex('exposure_lease_ports').insert({
          segment: 'dc1-internal',
          address: held.address,
          protocol: 'TCP',
          port: 8080,
          request_id: held.id,
        }),
      );
      const ports = await knex('exposure_lease_ports').select('port');
      expect(ports.map(p => Number(p.port))).toEqual([8080]);
    });
  },
);
