import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  demoAllocation,
  demoPool,
} from '../__testUtils__/standInExposurePlugin';
import { ExposureApiReader } from './exposureApiReader';

describe('ExposureApiReader', () => {
  let server: Server;
  let reply: (path: string) => { status: number; body: string };
  const seen: { path?: string; authorization?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization });
      const { status, body } = reply(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  function reader() {
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}/api/exposure`;
    return new ExposureApiReader(
      {
        getBaseUrl: async () => baseUrl,
        getExternalBaseUrl: async () => baseUrl,
      },
      mockServices.auth({ pluginId: 'catalog' }),
    );
  }

  it('reads pools and allocations with the catalog service token', async () => {
    seen.length = 0;
    reply = path => ({
      status: 200,
      body: JSON.stringify({
        items:
          path === '/api/exposure/pools' ? [demoPool()] : [demoAllocation()],
      }),
    });

    const snapshot = await reader().read();

    expect(snapshot.pools.map(p => p.name)).toEqual(['internal-east']);
    expect(snapshot.allocations.map(a => a.address)).toEqual(['192.0.2.10']);
    expect(seen.map(s => s.path).sort()).toEqual([
      '/api/exposure/allocations',
      '/api/exposure/pools',
    ]);
    const token = mockCredentials.service.token({
      onBehalfOf: mockCredentials.service('plugin:catalog'),
      targetPluginId: 'exposure',
    });
    expect(seen.map(s => s.authorization)).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
    ]);
  });

  it('reports a refusal with the message of the error body, pools first', async () => {
    reply = () => ({
      status: 403,
      body: JSON.stringify({
        error: {
          name: 'NotAllowedError',
          message: "This endpoint does not allow 'service' credentials",
          stack: 'NotAllowedError: ... (long)',
        },
      }),
    });

    await expect(reader().read()).rejects.toThrow(
      "GET /pools of the exposure API answered 403: This endpoint does not allow 'service' credentials",
    );
  });

  it('refuses a body without an items list', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ pools: [] }) });
    await expect(reader().read()).rejects.toThrow(
      'GET /pools of the exposure API has no items list',
    );
  });
});
