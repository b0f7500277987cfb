import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  demoAllocation,
  demoPool,
  type ExposureState,
  standInExposurePlugin,
} from './__testUtils__/standInExposurePlugin';
import { catalogModuleExposure } from './module';

const WAIT_MS = 60_000;

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('catalog module exposure, in a real catalog', () => {
  const state: ExposureState = {
    pools: [demoPool()],
    allocations: [],
    callers: [],
  };
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let baseUrl: string;

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleExposure,
        standInExposurePlugin(state),
        // The real scheduler (the mock runs a task once): the test shows the
        // catalog follows the exposure state within seconds.
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            portico: {
              platformAdminGroup: 'group:default/platform-team',
              catalogProvider: { refreshSeconds: 1 },
            },
            catalog: { processingInterval: { seconds: 1 } },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}/api/catalog`;
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
  });

  async function entity(ref: string): Promise<Entity | undefined> {
    const [kind, rest] = ref.split(':');
    const response = await fetch(`${baseUrl}/entities/by-name/${kind}/${rest}`);
    if (response.status === 404) {
      return undefined;
    }
    expect(response.status).toBe(200);
    return (await response.json()) as Entity;
  }

  /** The entity once the catalog has processed it (relations computed). */
  async function processed(ref: string, relation: string) {
    return entity(ref).then(e =>
      e?.relations?.some(r => r.type === relation) ? e : undefined,
    );
  }

  it(
    'shows each pool as an ip-pool Resource owned by the platform team',
    async () => {
      const pool = await waitFor('the pool entity', () =>
        processed('resource:default/pool-internal-east', 'ownedBy'),
      );
      expect(pool.spec).toEqual({
        type: 'ip-pool',
        owner: 'group:default/platform-team',
      });
      expect(pool.metadata.labels).toEqual({
        'portico.dev/intent': 'internal',
        'portico.dev/segment': 'dc-east',
        'portico.dev/vlan': '120',
        'portico.dev/family': 'ipv4',
      });
      expect(pool.metadata.annotations).toMatchObject({
        'portico.dev/addresses': '192.0.2.10-192.0.2.19',
        'portico.dev/count-free': '10',
      });
      expect(pool.relations).toContainEqual({
        type: 'ownedBy',
        targetRef: 'group:default/platform-team',
      });
      expect(state.callers).toContain('service');
    },
    WAIT_MS + 5_000,
  );

  it(
    'adds a vip Resource on allocation and removes it on release',
    async () => {
      state.allocations = [demoAllocation()];
      state.pools = [
        demoPool({
          counts: { total: '10', allocated: '1', reserved: '0', free: '9' },
        }),
      ];

      const vip = await waitFor('the vip entity', () =>
        processed('resource:default/vip-internal-east-192-0-2-10', 'ownedBy'),
      );
      expect(vip.metadata.title).toBe('192.0.2.10');
      expect(vip.spec).toEqual({
        type: 'vip',
        owner: 'group:default/team-payments',
        dependsOn: ['resource:default/pool-internal-east'],
        dependencyOf: ['component:default/edge-api'],
      });
      expect(vip.relations).toEqual(
        expect.arrayContaining([
          { type: 'ownedBy', targetRef: 'group:default/team-payments' },
          {
            type: 'dependsOn',
            targetRef: 'resource:default/pool-internal-east',
          },
          { type: 'dependencyOf', targetRef: 'component:default/edge-api' },
        ]),
      );
      expect(vip.metadata.annotations).toMatchObject({
        'portico.dev/address': '192.0.2.10',
        'portico.dev/services': 'demo/payments/edge-api',
        'portico.dev/request-ids': '5d0c2b8e-7a55-4c59-9a40-0a1f0c2f7e11',
      });
      // The pool's counts follow.
      await waitFor('the pool count', () =>
        entity('resource:default/pool-internal-east').then(e =>
          e?.metadata.annotations?.['portico.dev/count-allocated'] === '1'
            ? e
            : undefined,
        ),
      );

      state.allocations = [];
      await waitFor('the vip entity to go', async () =>
        (await entity('resource:default/vip-internal-east-192-0-2-10'))
          ? undefined
          : true,
      );
      // The pool stays.
      expect(await entity('resource:default/pool-internal-east')).toBeDefined();
    },
    2 * WAIT_MS + 5_000,
  );
});

describe('catalog module exposure, on a change event', () => {
  const state: ExposureState = {
    pools: [demoPool()],
    allocations: [],
    callers: [],
  };
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleExposure,
        standInExposurePlugin(state),
        schedulerServiceFactory,
        // The real events service: one bus shared by every plugin.
        eventsServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            portico: {
              platformAdminGroup: 'group:default/platform-team',
              // The timer runs once at start, then not within the test.
              catalogProvider: { refreshSeconds: 3600 },
            },
            catalog: { processingInterval: { seconds: 1 } },
          },
        }),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
  });

  it(
    'adds the vip as soon as the exposure plugin announces the change',
    async () => {
      const url = `http://localhost:${backend.server.port()}/api/catalog/entities/by-name/resource/default/vip-internal-east-192-0-2-10`;
      await waitFor('the first pass', async () =>
        state.callers.length > 0 ? true : undefined,
      );
      state.allocations = [demoAllocation()];
      await state.announce!();
      const vip = await waitFor('the vip entity', async () => {
        const response = await fetch(url);
        return response.status === 200
          ? ((await response.json()) as Entity)
          : undefined;
      });
      expect(vip.spec?.owner).toBe('group:default/team-payments');
    },
    WAIT_MS + 5_000,
  );
});
