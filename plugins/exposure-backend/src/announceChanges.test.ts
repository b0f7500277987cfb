import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  EXPOSURE_CHANGED_TOPIC,
  ExposureChangedEvent,
} from '@portico/plugin-exposure-common';
import request from 'supertest';
import { ALICE, rawTestConfig, testDatabases } from './__testUtils__/fixtures';
import { as, startExposureBackend } from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = testDatabases();

/** A module of another plugin that listens as the catalog module does. */
function listener(received: ExposureChangedEvent[]) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'exposure-listener',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'test-listener',
            topics: [EXPOSURE_CHANGED_TOPIC],
            onEvent: async ({ eventPayload }) => {
              received.push(eventPayload as ExposureChangedEvent);
            },
          });
        },
      });
    },
  });
}

describe('change announcements', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
  });

  it('publishes each committed change with its pool and address', async () => {
    const received: ExposureChangedEvent[] = [];
    const knex = await databases.init('SQLITE_3');
    // Backstage's own events service, as the backend runs it.
    const backend = await startExposureBackend(knex, rawTestConfig, [
      eventsServiceFactory,
      listener(received),
    ]);
    stop = () => backend.stop();
    const body = {
      entityRef: 'component:default/edge-api',
      owner: 'group:default/team-payments',
      cluster: 'demo',
      namespace: 'payments',
      serviceName: 'edge-api',
      ports: [{ port: 8080 }],
      pool: 'internal',
    };
    const created = await request(backend.server)
      .post('/api/exposure/requests')
      .set('Authorization', as(ALICE))
      .send(body);
    expect(created.status).toBe(201);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(received.map(e => e.action)).toEqual([
      'request.created',
      'request.approved',
      'request.active',
    ]);
    expect(received[2]).toEqual({
      action: 'request.active',
      requestId: created.body.id,
      state: 'active',
      pool: 'internal',
      segment: 'dc1-internal',
      address: created.body.address,
    });
    // A refused request was never stored: nothing is announced.
    const refused = await request(backend.server)
      .post('/api/exposure/requests')
      .set('Authorization', as(ALICE))
      .send({ ...body, serviceName: 'other', pool: 'nope' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('unknown pool "nope"');
    expect(received).toHaveLength(3);
  });
});
