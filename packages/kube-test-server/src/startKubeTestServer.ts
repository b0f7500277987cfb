import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceService } from './api/ResourceService';
import { AllowRule, TokenIdentity } from './auth/tokenPolicy';
import { KubeApiServer, OutageMode, RequestRecord } from './http/KubeApiServer';
import { createServingCertificate } from './http/tlsCertificate';
import {
  BackstageClusterEntry,
  backstageClusterFromKubeconfig,
} from './backstageCluster';
import { renderKubeconfig } from './kubeconfig';
import { loadManifests } from './loadManifests';
import { ResourceRegistry } from './resources/ResourceRegistry';
import { ObjectStore } from './store/ObjectStore';
import { KubeObject } from './types';

export interface TokenOptions {
  /** User name shown in 403 messages; defaults to the token's key. */
  user?: string;
  /** `'*'` for cluster-admin, or RBAC-like allow rules. */
  allow: '*' | AllowRule[];
}

export interface KubeTestServerOptions {
  /** Extra bearer tokens and what each may do. An admin token is always added. */
  tokens?: Record<string, TokenOptions>;
  /** CRDs to install at start: objects, or paths of YAML files or directories. */
  crds?: Array<KubeObject | string>;
  /** Objects to create at start (after the CRDs), e.g. namespaces and pools. */
  objects?: Array<KubeObject | string>;
  /** Namespaces to create besides default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  host?: string;
  /** Serve HTTPS with a fresh self-signed CA (the default) or plain HTTP. */
  tls?: boolean;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How many changes watches can resume across before they get 410 Gone. Default 1000. */
  historySize?: number;
  /** How often watches that allow bookmarks get one. Default 10 s. */
  bookmarkIntervalMs?: number;
  /** Where cluster IPs come from: benchmarking space, never routed. */
  serviceCidr?: string;
  /** Where to write the admin kubeconfig; a fresh temporary directory when omitted. */
  kubeconfigPath?: string;
}

export interface KubeTestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** PEM CA certificate the kubeconfigs trust (HTTPS only). */
  certificateAuthority?: string;
  adminToken: string;
  /** The admin kubeconfig as YAML. */
  kubeconfig: string;
  /** A file holding `kubeconfig`, deleted by stop() when the server chose its place. */
  kubeconfigPath: string;
  /**
   * A kubeconfig (YAML) for a configured token (or the admin token), optionally
   * naming another address that reaches this server (a relay, a port forward).
   */
  kubeconfigFor(
    token: string,
    options?: { namespace?: string; server?: string },
  ): string;
  /**
   * The Backstage Kubernetes plugin's cluster entry for this server, with the admin
   * token or another configured one.
   */
  backstageCluster(options?: {
    name?: string;
    token?: string;
  }): BackstageClusterEntry;
  /** Creates or replaces objects directly, as an admin would with kubectl apply. */
  apply(objects: KubeObject | KubeObject[]): KubeObject[];
  /** The most recent requests (up to 2000), oldest first: what clients really sent. */
  requests(): RequestRecord[];
  /** The current global resourceVersion. */
  resourceVersion(): string;
  /** Forgets all watch history: every resume from an earlier version gets 410 Gone. */
  compactHistory(): void;
  /**
   * A cluster that is down: `refuse` (default) closes the port, `unavailable`
   * answers 503 to everything, `hang` never answers. Every open connection and
   * watch is cut.
   */
  simulateOutage(mode?: OutageMode): Promise<void>;
  /** Answers again on the same port, with the same objects. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

async function resolveObjects(
  entries: Array<KubeObject | string>,
): Promise<KubeObject[]> {
  const lists = await Promise.all(
    entries.map(entry =>
      typeof entry === 'string' ? loadManifests(entry) : [entry],
    ),
  );
  return lists.flat();
}

/** Starts a Kubernetes API server for tests, in this process. */
export async function startKubeTestServer(
  options: KubeTestServerOptions = {},
): Promise<KubeTestServer> {
  const store = new ObjectStore(options.historySize ?? 1000);
  const registry = new ResourceRegistry();
  const service = new ResourceService(
    store,
    registry,
    options.serviceCidr ?? '198.19.0.0/16',
  );
  const adminToken = randomBytes(24).toString('hex');
  const tokens = new Map<string, TokenIdentity>([
    [adminToken, { user: 'admin', allow: '*' }],
  ]);
  for (const [token, config] of Object.entries(options.tokens ?? {})) {
    tokens.set(token, { user: config.user ?? token, allow: config.allow });
  }

  const apply = (input: KubeObject | KubeObject[]): KubeObject[] =>
    (Array.isArray(input) ? input : [input]).map(object => {
      const type = registry.lookupKind(
        String(object.apiVersion),
        String(object.kind),
      );
      if (!type)
        throw new Error(
          `no resource serves ${object.kind} in ${object.apiVersion}`,
        );
      const namespace = type.namespaced
        ? object.metadata.namespace ?? 'default'
        : undefined;
      const name = object.metadata.name!;
      if (store.get(`${type.group}/${type.resource}`, namespace, name)) {
        const { resourceVersion: _rv, ...metadata } = object.metadata;
        return service.update(type, namespace, name, { ...object, metadata });
      }
      return service.create(type, namespace, object);
    });

  const namespaceObject = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  apply(
    [...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])].map(namespaceObject),
  );
  apply(await resolveObjects(options.crds ?? []));
  apply(await resolveObjects(options.objects ?? []));

  const host = options.host ?? '127.0.0.1';
  const tls =
    options.tls === false ? undefined : await createServingCertificate(host);
  const server = new KubeApiServer({
    service,
    tokens,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    tls,
  });
  await server.listen(options.port ?? 0, host);

  const certificateAuthority = tls?.certificate;
  const kubeconfig = renderKubeconfig({
    server: server.url,
    token: adminToken,
    certificateAuthority,
  });
  let ownDir: string | undefined;
  let kubeconfigPath = options.kubeconfigPath;
  if (!kubeconfigPath) {
    ownDir = await mkdtemp(join(tmpdir(), 'kube-test-server-'));
    kubeconfigPath = join(ownDir, 'kubeconfig');
  }
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

  const kubeconfigFor = (
    token: string,
    opts: { namespace?: string; server?: string } = {},
  ) => {
    const identity = tokens.get(token);
    if (!identity) {
      throw new Error('unknown token: configure it in `tokens` first');
    }
    return renderKubeconfig({
      server: opts.server ?? server.url,
      token,
      user: identity.user,
      namespace: opts.namespace,
      certificateAuthority,
    });
  };

  return {
    url: server.url,
    certificateAuthority,
    adminToken,
    kubeconfig,
    kubeconfigPath,
    kubeconfigFor,
    backstageCluster: (opts = {}) =>
      backstageClusterFromKubeconfig(
        kubeconfigFor(opts.token ?? adminToken),
        opts.name,
      ),
    apply,
    requests: () => [...server.requestLog],
    resourceVersion: () => String(store.resourceVersion),
    compactHistory: () => store.compact(),
    simulateOutage: mode => server.goDown(mode),
    resume: () => server.comeBack(),
    async stop() {
      await server.close();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    },
  };
}
