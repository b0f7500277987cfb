import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { setMaxListeners } from 'node:events';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { ResourceService } from '../api/ResourceService';
import { forbidden, isAllowed, TokenIdentity } from '../auth/tokenPolicy';
import {
  AGGREGATED_MEDIA_TYPE,
  aggregatedDiscovery,
  coreVersions,
  groupDocument,
  groupList,
  resourceList,
  versionInfo,
  wantsAggregated,
} from './discovery';
import { openApiDocument } from './openapi';
import { parseRequestInfo, RequestInfo } from './requestInfo';
import { StatusError, statusErrors } from './status';
import { handleResourceRequest } from './resourceRequest';
import { sendJson } from './respond';

export type OutageMode = 'refuse' | 'unavailable' | 'hang';

/** One request as the server saw it, for tests that check what a client sent. */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  user?: string;
  verb?: string;
  contentType?: string;
}

const REQUEST_LOG_SIZE = 2000;

export interface KubeApiServerOptions {
  service: ResourceService;
  tokens: Map<string, TokenIdentity>;
  bookmarkIntervalMs: number;
  /** Serve HTTPS with this certificate; plain HTTP without one. */
  tls?: { certificate: string; privateKey: string };
}

/** Cuts every open watch at once; each open watch listens on its signal. */
function watchController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/**
 * The HTTP face of the test cluster: authentication by bearer token, authorization
 * by the token's allow list, discovery, and the resource verbs, all answering with
 * the bodies and codes kube-apiserver uses. It can be taken down and brought back on
 * the same port to play a cluster outage.
 */
export class KubeApiServer {
  private readonly http: Server;
  private readonly sockets = new Set<Socket>();
  private watches = watchController();
  private port = 0;
  private host = '127.0.0.1';
  private outage: OutageMode | undefined;
  private listening = false;
  /** Requests left unanswered during a `hang` outage. */
  private readonly held = new Set<ServerResponse>();
  readonly requestLog: RequestRecord[] = [];

  constructor(private readonly options: KubeApiServerOptions) {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(error => this.fail(res, error));
    };
    this.http = options.tls
      ? createTlsServer(
          { cert: options.tls.certificate, key: options.tls.privateKey },
          listener,
        )
      : createServer(listener);
    this.http.on(options.tls ? 'secureConnection' : 'connection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.options.tls ? 'https' : 'http'}://${host}:${this.port}`;
  }

  async listen(port: number, host: string): Promise<void> {
    this.host = host;
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.port = (this.http.address() as AddressInfo).port;
    this.listening = true;
  }

  /**
   * Plays a cluster that is down. `refuse`: the port is closed (connection refused).
   * `unavailable`: every request gets 503. `hang`: requests are accepted and never
   * answered (a partition; clients must time out). Open connections, watches
   * included, are cut in every mode.
   */
  async goDown(mode: OutageMode = 'refuse'): Promise<void> {
    if (this.outage) return;
    this.outage = mode;
    this.watches.abort();
    if (mode === 'refuse') await this.closeListener();
    else for (const socket of this.sockets) socket.destroy();
  }

  /** Answers again, on the same address and port, after goDown(). */
  async comeBack(): Promise<void> {
    if (!this.outage) return;
    this.watches = watchController();
    this.dropHeld();
    if (!this.listening) await this.listen(this.port, this.host);
    this.outage = undefined;
  }

  async close(): Promise<void> {
    this.outage = 'refuse';
    this.watches.abort();
    this.dropHeld();
    if (this.listening) await this.closeListener();
  }

  private dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  private async closeListener(): Promise<void> {
    this.listening = false;
    const closed = new Promise<void>(resolve =>
      this.http.close(() => resolve()),
    );
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    if (this.outage === 'hang') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    if (this.outage === 'unavailable') {
      throw statusErrors.serviceUnavailable(
        'the server is currently unable to handle the request',
      );
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'],
    };
    this.requestLog.push(record);
    if (this.requestLog.length > REQUEST_LOG_SIZE) this.requestLog.shift();
    const identity = this.authenticate(req);
    record.user = identity.user;
    const info = parseRequestInfo(
      req.method ?? 'GET',
      url.pathname,
      url.searchParams,
    );
    if (info.type === 'resource') record.verb = info.verb;
    if (info.type === 'discovery') {
      this.discovery(req, res, info.path);
      return;
    }
    if (
      !isAllowed(identity, {
        verb: info.verb,
        apiGroup: info.apiGroup,
        resource: info.resource,
        subresource: info.subresource,
        namespace: info.namespace,
        name: info.name,
      })
    ) {
      throw forbidden(identity, {
        verb: info.verb,
        apiGroup: info.apiGroup,
        resource: info.resource,
        subresource: info.subresource,
        namespace: info.namespace,
        name: info.name,
      });
    }
    const type = this.options.service.registry.lookup(
      info.apiGroup,
      info.apiVersion,
      info.resource,
    );
    if (!type) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('404 page not found\n');
      return;
    }
    await handleResourceRequest(
      {
        service: this.options.service,
        bookmarkIntervalMs: this.options.bookmarkIntervalMs,
        watchSignal: this.watches.signal,
      },
      req,
      res,
      info as Extract<RequestInfo, { type: 'resource' }>,
      type,
      url.searchParams,
    );
  }

  private authenticate(req: IncomingMessage): TokenIdentity {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const identity = match
      ? this.options.tokens.get(match[1].trim())
      : undefined;
    if (!identity) throw statusErrors.unauthorized();
    return identity;
  }

  private discovery(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): void {
    const { registry } = this.options.service;
    const accept = req.headers.accept;
    if ((path === '/api' || path === '/apis') && wantsAggregated(accept)) {
      sendJson(
        res,
        200,
        aggregatedDiscovery(registry, path === '/api'),
        AGGREGATED_MEDIA_TYPE,
      );
      return;
    }
    let body: unknown;
    if (path === '/version') body = versionInfo;
    else if (path === '/api') body = coreVersions(`${this.host}:${this.port}`);
    else if (path === '/apis') body = groupList(registry);
    else if (path.startsWith('/openapi/'))
      body = openApiDocument(registry, path);
    else {
      const parts = path.split('/').filter(Boolean);
      if (parts[0] === 'api' && parts.length === 2)
        body = resourceList(registry, '', parts[1]);
      if (parts[0] === 'apis' && parts.length === 2)
        body = groupDocument(registry, parts[1]);
      if (parts[0] === 'apis' && parts.length === 3)
        body = resourceList(registry, parts[1], parts[2]);
    }
    if (body === undefined) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('404 page not found\n');
      return;
    }
    sendJson(res, 200, body);
  }

  private fail(res: ServerResponse, error: unknown): void {
    const status =
      error instanceof StatusError
        ? error.toStatus()
        : new StatusError(
            500,
            'InternalError',
            `Internal error occurred: ${String(
              (error as Error)?.message ?? error,
            )}`,
          ).toStatus();
    if (res.headersSent) {
      res.end();
      return;
    }
    sendJson(res, status.code, status);
  }
}
