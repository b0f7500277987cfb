import { Counter, Registry } from 'prom-client';
import { startHealthServer } from './healthServer';

describe('health server', () => {
  it('serves liveness, readiness with its reasons, and Prometheus metrics', async () => {
    const registry = new Registry();
    new Counter({
      name: 'portico_test_total',
      help: 'a test counter',
      registers: [registry],
    }).inc(3);
    let ready = false;
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      checks: {
        live: () => true,
        ready: () => ({
          ok: ready,
          reasons: ready ? [] : ['caches not synced'],
        }),
      },
    });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${server.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain('caches not synced');
      ready = true;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await metrics.text()).toMatch(/^portico_test_total 3$/m);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
      expect(
        (await fetch(`${server.url}/healthz`, { method: 'POST' })).status,
      ).toBe(405);
    } finally {
      await server.close();
    }
  });
});
