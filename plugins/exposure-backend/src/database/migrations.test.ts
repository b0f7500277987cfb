import { describe, expect, it, jest } from '@jest/globals';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  ALICE,
  PAT,
  requestBody,
  testConfig,
  testDatabases,
} from '../__testUtils__/fixtures';
import { ExposureService } from '../service/ExposureService';
import { DatabaseExposureStore } from './DatabaseExposureStore';

jest.setTimeout(60_000);

const databases = testDatabases();
const directory = resolvePackagePath(
  '@portico/plugin-exposure-backend',
  'migrations',
);

const tables = [
  'exposure_requests',
  'exposure_leases',
  'exposure_allocations',
  'exposure_lease_ports',
  'exposure_audit_events',
  'exposure_audit_head',
  'exposure_idempotency_keys',
];

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('go up with data in the tables, down to nothing, and up again', async () => {
    const knex = await databases.init(databaseId);
    const store = await DatabaseExposureStore.create({
      database: mockServices.database({ knex }),
    });
    const startService = () =>
      new ExposureService({
        store,
        config: testConfig,
        logger: mockServices.logger.mock(),
      });
    const service = startService();
    const active = await service.createRequest(
      ALICE,
      requestBody({ pool: 'internal', ports: [{ port: 8080 }] }),
    );
    const pending = await service.createRequest(
      ALICE,
      requestBody({ serviceName: 'edge-api-public' }),
    );
    await service.reject(PAT, pending.id, 'no');
    expect(await store.getRequest(active.id)).toMatchObject({
      state: 'active',
    });
    expect(await store.verifyAuditChain()).toEqual({ valid: true, checked: 5 });

    await knex.migrate.rollback({ directory }, true);
    for (const table of tables) {
      expect(await knex.schema.hasTable(table)).toBe(false);
    }

    await knex.migrate.latest({ directory });
    for (const table of tables) {
      expect(await knex.schema.hasTable(table)).toBe(true);
    }
    expect(await store.verifyAuditChain()).toEqual({ valid: true, checked: 0 });
    // A backend started on the emptied database hands out the same address.
    const again = await startService().createRequest(
      ALICE,
      requestBody({ pool: 'internal', ports: [{ port: 8080 }] }),
    );
    expect(again.address).toBe(active.address);
  });

  it('skips migrations when the database service says so', async () => {
    const knex = await databases.init(databaseId);
    await DatabaseExposureStore.create({
      database: mockServices.database({ knex, migrations: { skip: true } }),
    });
    expect(await knex.schema.hasTable('exposure_requests')).toBe(false);
  });
});
