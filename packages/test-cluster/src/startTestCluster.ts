import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  apiGet,
  prepareApiServer,
  RunningApiServer,
  startApiServer,
} from './apiServer';
import {
  BackstageClusterEntry,
  backstageClusterFromKubeconfig,
} from './backstageCluster';
import { ensureTestClusterBinaries, TestClusterBinaries } from './binaries';
import { startEtcd } from './etcd';
import { FaultProxy, startFaultProxy } from './faultProxy';
import { kubectlOrThrow, KubectlResult, runKubectl } from './kubectl';
import { renderKubeconfig } from './kubeconfig';
import { loadManifests } from './loadManifests';
import { ManagedProcess, startProcess } from './processes';
import { KubeObject } from './types';

export interface TestClusterOptions {
  /** CRDs to install at start (and wait for): objects, or paths of YAML files or directories. */
  crds?: Array<KubeObject | string>;
  /** Objects to apply at start, after the CRDs: namespaces, RBAC, pools. */
  objects?: Array<KubeObject | string>;
  /** Namespaces to create at start. */
  namespaces?: string[];
  /**
   * Users known by a static token, with their groups, e.g. `{ nobody: [] }`: RBAC
   * decides what each may do. An admin in `system:masters` is always there.
   */
  users?: Record<string, string[]>;
  /**
   * Also run kube-controller-manager's namespace, garbage-collector and
   * ServiceAccount controllers (namespace deletion, cascading deletes).
   */
  controllerManager?: boolean;
  /** Where to write the admin kubeconfig; in the cluster's own directory when omitted. */
  kubeconfigPath?: string;
  /** Keep the API server's audit log (every request, at Metadata level): see auditEvents(). */
  audit?: boolean;
}

/** One request as the API server's audit log records it. */
export interface AuditEvent {
  verb: string;
  user: { username: string; groups?: string[] };
  objectRef?: {
    resource?: string;
    subresource?: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
  };
  requestURI: string;
  responseStatus?: { code?: number };
  stage: string;
}

export interface TestCluster {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** What the API server's /version reports, e.g. `v1.37.2`. */
  version: string;
  binaries: TestClusterBinaries;
  /** The cluster's own directory (etcd data, certificates, tokens); stop() removes it. */
  dir: string;
  /** PEM CA certificate the kubeconfigs trust. */
  certificateAuthority: string;
  adminToken: string;
  /** The admin kubeconfig as YAML, and the file holding it. */
  kubeconfig: string;
  kubeconfigPath: string;
  /** The static token of a user named in `users`. */
  userToken(user: string): string;
  /** A ServiceAccount's token from the TokenRequest API (the account must exist). */
  serviceAccountToken(
    namespace: string,
    name: string,
    expirationSeconds?: number,
  ): Promise<string>;
  /** A kubeconfig (YAML) for a bearer token, optionally with another server address. */
  kubeconfigFor(
    token: string,
    options?: { user?: string; namespace?: string; server?: string },
  ): string;
  /** The Backstage Kubernetes plugin's cluster entry, with the admin or another token. */
  backstageCluster(options?: {
    name?: string;
    token?: string;
  }): BackstageClusterEntry;
  /** kubectl as the admin (or with `kubeconfigPath`); `input` goes to its stdin. */
  kubectl(
    args: string[],
    options?: { input?: string; kubeconfigPath?: string },
  ): Promise<KubectlResult>;
  /** `kubectl apply --server-side` of objects or manifest paths, as the admin. */
  apply(objects: Array<KubeObject | string> | KubeObject): Promise<void>;
  /**
   * Waits until the API server refuses `object` (a server-side dry run): admission
   * policies take effect a moment after they are created. Resolves with the message.
   */
  untilRefused(object: KubeObject, timeoutMs?: number): Promise<string>;
  /** The audit log so far (with `audit: true`), one entry per completed request. */
  auditEvents(): Promise<AuditEvent[]>;
  /** Compacts etcd up to now: a watch resumed from an earlier version gets 410 Gone. */
  compactHistory(): Promise<void>;
  /**
   * The API server goes away: `refuse` stops it (connections refused), `hang`
   * freezes it (connections open, nothing answers). etcd keeps the objects.
   */
  simulateOutage(mode?: 'refuse' | 'hang'): Promise<void>;
  /** The API server answers again on the same port, with the same objects. */
  resume(): Promise<void>;
  /** A relay to the API server that can cut its clients off (closed by stop). */
  startFaultProxy(): Promise<FaultProxy>;
  stop(): Promise<void>;
}

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

function toYaml(objects: KubeObject[]): string {
  return objects.map(o => stringify(o)).join('---\n');
}

/**
 * Starts a real etcd and kube-apiserver (and optionally kube-controller-manager)
 * on loopback, built from the pinned Go module the first time, with RBAC and the
 * default admission plugins on, and applies the CRDs and objects asked for.
 */
export async function startTestCluster(
  options: TestClusterOptions = {},
): Promise<TestCluster> {
  const binaries = await ensureTestClusterBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'portico-test-cluster-'));
  const processes: ManagedProcess[] = [];
  const cleanup = async () => {
    for (const p of processes.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const etcd = await startEtcd(binaries.etcd, dir);
    processes.push(etcd.process);
    const adminToken = randomBytes(24).toString('hex');
    const userTokens = new Map(
      Object.keys(options.users ?? {}).map(user => [
        user,
        randomBytes(24).toString('hex'),
      ]),
    );
    const files = await prepareApiServer(
      dir,
      etcd.url,
      [
        { token: adminToken, user: 'admin', groups: ['system:masters'] },
        ...[...userTokens].map(([user, token]) => ({
          token,
          user,
          groups: options.users?.[user] ?? [],
        })),
      ],
      options.audit,
    );
    let apiServer: RunningApiServer = await startApiServer({
      binary: binaries.kubeApiserver,
      files,
      adminToken,
    });
    processes.push(apiServer.process);
    const ca = files.certificateAuthority;
    const url = apiServer.url;
    const version = JSON.parse(
      (await apiGet(url, '/version', adminToken, ca)).body,
    ).gitVersion as string;

    const kubeconfig = renderKubeconfig({
      server: url,
      token: adminToken,
      certificateAuthority: ca,
    });
    const kubeconfigPath = options.kubeconfigPath ?? join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

    const kubectl: TestCluster['kubectl'] = (args, opts = {}) =>
      runKubectl(
        binaries.kubectl,
        opts.kubeconfigPath ?? kubeconfigPath,
        args,
        opts.input,
      );
    const apply = async (input: Array<KubeObject | string> | KubeObject) => {
      const objects = await resolveObjects(
        Array.isArray(input) ? input : [input],
      );
      if (objects.length === 0) return;
      await kubectlOrThrow(
        binaries.kubectl,
        kubeconfigPath,
        ['apply', '--server-side', '--force-conflicts', '-f', '-'],
        toYaml(objects),
      );
    };

    if (options.controllerManager) {
      const manager = startProcess(binaries.kubeControllerManager, [
        `--kubeconfig=${kubeconfigPath}`,
        '--controllers=namespace,garbagecollector,serviceaccount',
        '--leader-elect=false',
        '--secure-port=0',
        '--use-service-account-credentials=false',
        '--v=0',
      ]);
      processes.push(manager);
    }

    const crds = await resolveObjects(options.crds ?? []);
    if (crds.length > 0) {
      await apply(crds);
      await kubectlOrThrow(binaries.kubectl, kubeconfigPath, [
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        ...crds.map(crd => `crd/${crd.metadata.name}`),
      ]);
    }
    await apply(
      (options.namespaces ?? []).map(name => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      })),
    );
    await apply(options.objects ?? []);

    const kubeconfigFor: TestCluster['kubeconfigFor'] = (token, opts = {}) =>
      renderKubeconfig({
        server: opts.server ?? url,
        token,
        user: opts.user ?? 'user',
        namespace: opts.namespace,
        certificateAuthority: ca,
      });

    let frozen = false;
    const proxies: FaultProxy[] = [];
    return {
      url,
      version,
      binaries,
      dir,
      certificateAuthority: ca,
      adminToken,
      kubeconfig,
      kubeconfigPath,
      userToken(user) {
        const token = userTokens.get(user);
        if (!token) throw new Error(`no user ${user}: name it in \`users\``);
        return token;
      },
      async serviceAccountToken(namespace, name, expirationSeconds = 3600) {
        const out = await kubectlOrThrow(binaries.kubectl, kubeconfigPath, [
          'create',
          'token',
          name,
          `--namespace=${namespace}`,
          `--duration=${expirationSeconds}s`,
        ]);
        return out.trim();
      },
      kubeconfigFor,
      backstageCluster: ({ name, token } = {}) =>
        backstageClusterFromKubeconfig(
          token ? kubeconfigFor(token) : kubeconfig,
          name,
        ),
      kubectl,
      apply,
      async untilRefused(object, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const result = await kubectl(
            ['create', '--dry-run=server', '-f', '-'],
            { input: toYaml([object]) },
          );
          if (result.code !== 0) return result.stderr;
          if (Date.now() > deadline) {
            throw new Error(
              `${object.kind} ${object.metadata.name} still accepted after ${timeoutMs} ms`,
            );
          }
          await new Promise(r => setTimeout(r, 200));
        }
      },
      async auditEvents() {
        if (!options.audit)
          throw new Error('start the cluster with audit: true');
        const text = await readFile(join(dir, 'audit.log'), 'utf8').catch(
          () => '',
        );
        return text
          .split('\n')
          .filter(Boolean)
          .map(line => JSON.parse(line) as AuditEvent)
          .filter(event => event.stage === 'ResponseComplete');
      },
      compactHistory: () => etcd.compact(),
      async simulateOutage(mode = 'refuse') {
        if (mode === 'hang') {
          apiServer.process.child.kill('SIGSTOP');
          frozen = true;
          return;
        }
        await apiServer.process.stop();
      },
      async resume() {
        if (frozen) {
          apiServer.process.child.kill('SIGCONT');
          frozen = false;
          return;
        }
        apiServer = await startApiServer({
          binary: binaries.kubeApiserver,
          files,
          adminToken,
          port: Number(new URL(url).port),
        });
        processes.push(apiServer.process);
      },
      async startFaultProxy() {
        const proxy = await startFaultProxy(new URL(url));
        proxies.push(proxy);
        return proxy;
      },
      async stop() {
        if (frozen) apiServer.process.child.kill('SIGCONT');
        await Promise.all(proxies.map(p => p.close()));
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
