/**
 * @jest-environment node
 */
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { ExposureClient } from './ExposureClient';
import { ExposureApiError } from './ExposureApiError';

interface Seen {
  method: string;
  url: string;
  body: string;
  contentType?: string;
  authorization?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('ExposureClient over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let seen: Seen[];
  let handler: Handler;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        seen.push({
          method: req.method!,
          url: req.url!,
          body,
          contentType: req.headers['content-type'],
          authorization: req.headers.authorization,
        });
        handler(req, res);
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/exposure`;
  });

  afterAll(async () => {
    await new Promise(r => server.close(r));
  });

  beforeEach(() => {
    seen = [];
    handler = (_req, res) => json(res, 200, { items: [] });
  });

  function client() {
    return new ExposureClient({
      discoveryApi: { getBaseUrl: async id => baseUrl.replace('exposure', id) },
      fetchApi: {
        // What Backstage's fetchApi adds: the user's token.
        fetch: (input, init) =>
          fetch(input as string, {
            ...init,
            headers: {
              ...(init?.headers as object),
              Authorization: 'Bearer t',
            },
          }),
      },
    });
  }

  it('lists requests with the filter as query parameters, skipping empty ones', async () => {
    handler = (_req, res) => json(res, 200, { items: [{ id: 'r1' }] });
    const items = await client().listRequests({
      entityRef: 'component:default/edge-api',
      state: undefined,
      owner: '',
    });
    expect(items).toEqual([{ id: 'r1' }]);
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url).toBe(
      '/api/exposure/requests?entityRef=component%3Adefault%2Fedge-api',
    );
    expect(seen[0].authorization).toBe('Bearer t');
  });

  it('posts a dry run with dryRun: true and returns the verdict', async () => {
    const verdict = {
      dryRun: true,
      pool: 'prod-external',
      verdict: 'needs-approval',
      reasons: [
        { code: 'approval-required', verdict: 'needs-approval', message: 'm' },
      ],
    };
    handler = (_req, res) => json(res, 200, verdict);
    const input = {
      entityRef: 'component:default/edge-api',
      owner: 'group:default/team-payments',
      cluster: 'prod-1',
      namespace: 'payments',
      serviceName: 'edge-api',
      ports: [{ port: 443, protocol: 'TCP' as const }],
      pool: 'prod-external',
      exposureKind: 'direct' as const,
      justification: 'public API',
    };
    await expect(client().dryRun(input)).resolves.toEqual(verdict);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].contentType).toBe('application/json');
    expect(JSON.parse(seen[0].body)).toEqual({ ...input, dryRun: true });

    await client().createRequest(input);
    expect(JSON.parse(seen[1].body)).toEqual({ ...input, dryRun: false });
  });

  it('sends the comment of a decision to the action route of the request', async () => {
    handler = (_req, res) => json(res, 200, { id: 'abc', state: 'active' });
    await client().approveRequest('abc', 'ok for launch');
    await client().rejectRequest('abc');
    await client().releaseRequest('a/b', 'done');
    expect(seen.map(s => [s.url, s.body])).toEqual([
      ['/api/exposure/requests/abc/approve', '{"comment":"ok for launch"}'],
      ['/api/exposure/requests/abc/reject', '{}'],
      ['/api/exposure/requests/a%2Fb/release', '{"comment":"done"}'],
    ]);
  });

  it('returns the CSV export as text', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      res.end('pool,range\nprod-external,10.40.20.120-10.40.20.139\n');
    };
    await expect(client().exportPools('csv')).resolves.toContain(
      'prod-external,10.40.20.120-10.40.20.139',
    );
    expect(seen[0].url).toBe('/api/exposure/export/pools?format=csv');
  });

  it("throws the backend's own error message with its status", async () => {
    handler = (_req, res) =>
      json(res, 403, {
        error: {
          name: 'NotAllowedError',
          message: 'owner: you are not a member of group:default/team-search',
        },
        response: { statusCode: 403 },
      });
    const error = await client()
      .createRequest({} as any)
      .catch(e => e);
    expect(error).toBeInstanceOf(ExposureApiError);
    expect(error.message).toBe(
      'owner: you are not a member of group:default/team-search',
    );
    expect(error.status).toBe(403);
    expect(error.errorName).toBe('NotAllowedError');
  });

  it('says which status came back when the body is not an error body', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>bad gateway</html>');
    };
    await expect(client().listPools()).rejects.toThrow(
      'The exposure backend answered 502 Bad Gateway',
    );
  });
});

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
