import { describe, expect, it, jest } from '@jest/globals';
import { createBackendModule } from '@backstage/backend-plugin-api';
import request from 'supertest';
import { ALICE, testDatabases } from './__testUtils__/fixtures';
import { as, startExposureBackend } from './__testUtils__/testBackend';
import {
  ExposureAllocationSource,
  ExposureChange,
  exposureExtensionPoint,
} from '@portico/plugin-exposure-node';

jest.setTimeout(60_000);

const databases = testDatabases();

describe('exposureExtensionPoint', () => {
  it('tells a module of every committed change and hands it the service', async () => {
    const changes: ExposureChange[] = [];
    let ready: ExposureAllocationSource | undefined;
    const listenerModule = createBackendModule({
      pluginId: 'exposure',
      moduleId: 'test-listener',
      register(reg) {
        reg.registerInit({
          deps: { exposure: exposureExtensionPoint },
          async init({ exposure }) {
            exposure.addChangeListener(change => changes.push(change));
            exposure.onReady(service => {
              ready = service;
            });
          },
        });
      },
    });
    const [id] = databases
      .eachSupportedId()
      .map(([x]) => x)
      .reverse();
    const backend = await startExposureBackend(
      await databases.init(id),
      undefined,
      [listenerModule],
    );
    try {
      const res = await request(backend.server)
        .post('/api/exposure/requests')
        .set('Authorization', as(ALICE))
        .send({
          entityRef: 'component:default/edge-api',
          owner: 'group:default/team-payments',
          cluster: 'demo',
          namespace: 'payments',
          serviceName: 'edge-api',
          ports: [{ port: 8080 }],
          pool: 'internal',
        });
      expect(res.status).toBe(201);
      expect(changes.map(c => [c.action, c.request.state])).toEqual([
        ['request.created', 'pending'],
        ['request.approved', 'approved'],
        ['request.active', 'active'],
      ]);
      const active = await ready!.listActiveAllocations();
      expect(active.map(a => [a.requestId, a.address])).toEqual([
        [res.body.id, res.body.address],
      ]);
    } finally {
      await backend.stop();
    }
  });
});
