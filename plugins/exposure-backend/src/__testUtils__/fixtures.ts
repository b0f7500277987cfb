import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  CreateRequestBody,
  createRequestBodySchema,
  exposureConfigSchema,
} from '@portico/plugin-exposure-common';
import { Knex } from 'knex';
import { DatabaseExposureStore } from '../database/DatabaseExposureStore';
import { ExposureService } from '../service/ExposureService';

/**
 * Engines the database tests run on. Docker cannot run here: PostgreSQL comes
 * from BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (set by `npm test`).
 */
export function testDatabases(): TestDatabases {
  return TestDatabases.create({
    ids: ['POSTGRES_15', 'SQLITE_3'],
    disableDocker: true,
  });
}

/** Demo-like config: data only, no address here is ever contacted. */
export const rawTestConfig = {
  segments: [
    {
      name: 'dc1-edge',
      cidrs: ['10.40.20.0/24', '2001:db8:40:20::/64'],
      vlan: 420,
      modes: ['l2', 'bgp'],
      bgpPeers: [
        {
          address: '10.40.20.1',
          asn: 64512,
          localAsn: 64513,
          password: 'secret',
        },
      ],
      reserved: ['10.40.20.1-10.40.20.9', '10.40.20.254'],
      clusters: ['demo'],
    },
    {
      name: 'dc1-internal',
      cidrs: ['10.50.0.0/16'],
      vlan: 500,
      modes: ['l2'],
      clusters: ['demo'],
    },
  ],
  pools: [
    {
      name: 'prod-external',
      segment: 'dc1-edge',
      intent: 'production-external',
      addresses: ['10.40.20.120-10.40.20.139'],
      policy: {
        owners: ['team-payments', 'team-search'],
        approval: 'required',
        ports: [80, 443],
        protocols: ['TCP'],
        allowSharing: true,
      },
    },
    {
      name: 'internal',
      segment: 'dc1-internal',
      intent: 'internal',
      addresses: ['10.50.1.0/24'],
      policy: {
        approval: 'automatic',
        avoidEdgeAddresses: true,
        quotaPerTeam: 50,
      },
    },
    {
      name: 'scratch',
      segment: 'dc1-edge',
      intent: 'temporary',
      addresses: ['10.40.20.200-10.40.20.203'],
      policy: { approval: 'automatic', maxLifetimeHours: 24 },
    },
    {
      name: 'v6-internal',
      segment: 'dc1-edge',
      intent: 'internal',
      addresses: ['2001:db8:40:20::/64'],
      policy: { approval: 'automatic', owners: ['team-search'] },
    },
  ],
};

export const testConfig = exposureConfigSchema.parse(rawTestConfig);

/** A settable clock for expiry tests. */
export class TestClock {
  constructor(public current = new Date('2026-11-25T12:00:00.000Z')) {}
  now = () => this.current;
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export async function createTestService(knex: Knex, clock = new TestClock()) {
  const store = await DatabaseExposureStore.create({
    database: mockServices.database({ knex }),
  });
  const auditor = mockServices.auditor.mock();
  const service = new ExposureService({
    store,
    config: testConfig,
    logger: mockServices.logger.mock(),
    auditor,
    now: clock.now,
  });
  return { store, service, clock, auditor };
}

export function requestBody(
  overrides: Partial<Record<keyof CreateRequestBody, unknown>> = {},
): CreateRequestBody {
  return createRequestBodySchema.parse({
    entityRef: 'component:default/edge-api',
    owner: 'group:default/team-payments',
    cluster: 'demo',
    namespace: 'payments',
    serviceName: 'edge-api',
    ports: [{ port: 443, protocol: 'TCP' }],
    pool: 'prod-external',
    justification: 'public checkout API',
    ...overrides,
  });
}

export const ALICE = 'user:default/alice';
export const PAT = 'user:default/pat';
export const SAM = 'user:default/sam';
