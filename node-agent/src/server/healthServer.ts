import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Liveness: false only when the process should be restarted. */
  live(): boolean;
  /** Readiness, with the reasons it is not ready yet. */
  ready(): { ok: boolean; reasons: string[] };
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `/healthz` (liveness), `/readyz` (readiness) and `/metrics` (Prometheus text
 * format), the paths kubelet probes and Prometheus scrape configs expect.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  checks: HealthChecks;
  registry: Registry;
}): Promise<HealthServer> {
  const { checks, registry } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (
      status: number,
      body: string,
      type = 'text/plain; charset=utf-8',
    ) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, 'method not allowed\n');
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      const ok = checks.live();
      reply(ok ? 200 : 503, ok ? 'ok\n' : 'unhealthy\n');
    } else if (path === '/readyz') {
      const { ok, reasons } = checks.ready();
      reply(
        ok ? 200 : 503,
        ok ? 'ok\n' : `not ready:\n${reasons.map(r => `- ${r}\n`).join('')}`,
      );
    } else if (path === '/metrics') {
      registry
        .metrics()
        .then(text => reply(200, text, registry.contentType))
        .catch(error => reply(500, `${error}\n`));
    } else {
      reply(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host =
    address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
