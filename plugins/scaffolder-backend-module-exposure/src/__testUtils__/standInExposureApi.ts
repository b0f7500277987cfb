import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { createRequestBodySchema } from '@portico/plugin-exposure-common';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  authorization?: string;
  idempotencyKey?: string;
  body: any;
}

export type Reply = { status: number; body: unknown };

/**
 * A real HTTP server on loopback that answers `POST /api/exposure/requests`
 * with whatever the test decides, and records every call it gets.
 */
export class StandInExposureApi {
  readonly calls: RecordedCall[] = [];
  private reply: (call: RecordedCall) => Reply = () => ({
    status: 500,
    body: { error: { name: 'Error', message: 'no reply set' } },
  });

  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res).catch(error => {
      res.writeHead(500);
      res.end(String(error));
    });
  });

  private constructor() {}

  static async start(): Promise<StandInExposureApi> {
    const api = new StandInExposureApi();
    await new Promise<void>(resolve =>
      api.server.listen(0, '127.0.0.1', () => resolve()),
    );
    return api;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const text = await readBody(req);
    const call: RecordedCall = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      body: text ? JSON.parse(text) : undefined,
    };
    this.calls.push(call);
    // Holds the action to the API's real contract before any scripted reply.
    const parsed = createRequestBodySchema.safeParse(call.body);
    const { status, body } = parsed.success
      ? this.reply(call)
      : {
          status: 400,
          body: {
            error: { name: 'InputError', message: parsed.error.message },
          },
        };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  answer(reply: (call: RecordedCall) => Reply): void {
    this.reply = reply;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/exposure`;
  }

  discovery(): DiscoveryService {
    return {
      getBaseUrl: async pluginId => {
        if (pluginId !== 'exposure') {
          throw new Error(`unexpected plugin ${pluginId}`);
        }
        return this.baseUrl;
      },
      getExternalBaseUrl: async () => this.baseUrl,
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A stored request as the exposure API returns it (openapi.yaml `ExposureRequest`). */
export function storedRequest(
  body: any,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: '5d0c2b8e-7a55-4c59-9a40-0a1f0c2f7e11',
    state: 'active',
    requestedBy: 'user:default/mock',
    entityRef: body.entityRef,
    owner: body.owner,
    cluster: body.cluster,
    namespace: body.namespace,
    serviceName: body.serviceName,
    ports: body.ports,
    pool: 'internal-east',
    segment: 'dc-east',
    intent: body.intent,
    exposureKind: body.exposureKind,
    justification: body.justification,
    reasons: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
