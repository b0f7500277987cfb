import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import type { Allocation, PoolSummary } from '@portico/plugin-exposure-common';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import express from 'express';
import { EXPOSURE_CHANGED_TOPIC } from '../module';

/** The state the stand-in serves; tests change it between reads. */
export interface ExposureState {
  pools: PoolSummary[];
  allocations: Allocation[];
  /** Every principal type that called the stand-in. */
  callers: string[];
  /** Set by the plugin: announces a change on the events service. */
  announce?: () => Promise<void>;
}

/**
 * A backend plugin with id `exposure` that serves `GET /pools` and
 * `GET /allocations` from memory, as openapi.yaml describes them, to services
 * only: the catalog module must call with real service credentials.
 */
export function standInExposurePlugin(state: ExposureState) {
  return createBackendPlugin({
    pluginId: 'exposure',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          events: eventsServiceRef,
        },
        async init({ httpRouter, httpAuth, events }) {
          state.announce = () =>
            events.publish({
              topic: EXPOSURE_CHANGED_TOPIC,
              eventPayload: { action: 'changed' },
            });
          const router = express.Router();
          router.get('/pools', async (req, res) => {
            const credentials = await httpAuth.credentials(req, {
              allow: ['service'],
            });
            state.callers.push(credentials.principal.type);
            res.json({ items: state.pools });
          });
          router.get('/allocations', async (req, res) => {
            await httpAuth.credentials(req, { allow: ['service'] });
            res.json({ items: state.allocations });
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

export function demoPool(overrides: Partial<PoolSummary> = {}): PoolSummary {
  return {
    name: 'internal-east',
    description: 'Internal services of DC east',
    segment: 'dc-east',
    vlan: 120,
    intent: 'internal',
    family: 4,
    addresses: ['192.0.2.10-192.0.2.19'],
    advertisement: { type: 'l2' } as PoolSummary['advertisement'],
    policy: {
      owners: [],
      namespaces: [],
      approval: 'automatic',
      ports: [],
      protocols: [],
      allowSharing: false,
    } as unknown as PoolSummary['policy'],
    clusters: ['demo'],
    counts: { total: '10', allocated: '0', reserved: '0', free: '10' },
    ...overrides,
  };
}

export function demoAllocation(
  overrides: Partial<Allocation> = {},
): Allocation {
  return {
    requestId: '5d0c2b8e-7a55-4c59-9a40-0a1f0c2f7e11',
    segment: 'dc-east',
    pool: 'internal-east',
    address: '192.0.2.10',
    owner: 'group:default/team-payments',
    entityRef: 'component:default/edge-api',
    cluster: 'demo',
    namespace: 'payments',
    serviceName: 'edge-api',
    ports: [{ port: 443, protocol: 'TCP' }],
    shared: false,
    allocatedAt: '2026-11-25T20:00:00.000Z',
    ...overrides,
  };
}
