import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  V1Service,
} from '@kubernetes/client-node';
import {
  KubeTarget,
  kubeTarget,
  loadManifests,
  renderDeploy,
} from '@portico/test-cluster';
import { silentLogger } from '../../logging';
import { ClusterView, Kind } from '../clusterView';

export const CRDS = resolve(__dirname, '../../../../deploy/crds');
const PORTAL_RBAC = resolve(__dirname, '../../../../deploy/rbac/portal.yaml');

/** The identities of deploy/: each component runs in tests as its own ServiceAccount. */
export type Account = 'controller' | 'speaker' | 'portal';

/**
 * A cluster for one test file: a fresh real kube-apiserver and etcd, or the
 * outside cluster PORTICO_E2E_KUBECONFIG names. The run's namespaces get the RBAC
 * and admission policies of deploy/, rendered for them, so the controller, the
 * speaker and the portal act with exactly the rights their manifests give. Every
 * name is unique to the run, and what `create` made is deleted by `cleanup`.
 */
export interface KubeHarness {
  target: KubeTarget;
  /** The cluster's admin: set-up and assertions only. */
  kc: KubeConfig;
  /** Each component's ServiceAccount, bound by deploy/'s roles. */
  as: Record<Account, KubeConfig>;
  /** A kubeconfig file for an account, for components run as a process. */
  kubeconfigPathAs(account: Account): string;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  run: string;
  /** Namespaces of this run: MetalLB objects, the agent, and the apps. */
  ns: { metallb: string; agent: string; apps: string };
  /** The controller's Lease name for this run (deploy/settings.env). */
  leaseName: string;
  /** A loadBalancerClass unique to the run (used on outside clusters). */
  loadBalancerClass: string;
  /** Creates an object as the admin; ExposureGrants as the portal, the only writer admission allows. */
  create<T extends KubernetesObject>(obj: T): Promise<T>;
  /** A started view of the run's namespaces over `kinds` as `account`, until `signal` aborts. */
  startView(
    kinds: Kind[],
    signal: AbortSignal,
    identity?: Account | KubeConfig,
  ): ClusterView;
  remove(obj: KubernetesObject): Promise<void>;
  cleanup(): Promise<void>;
}

async function createOrReplace(
  api: KubernetesObjectApi,
  obj: KubernetesObject,
): Promise<void> {
  try {
    await api.create(obj);
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    const current = await api.read(obj as any);
    await api.replace({
      ...obj,
      metadata: {
        ...obj.metadata,
        resourceVersion: current.metadata?.resourceVersion,
      },
    });
  }
}

function kubeConfigWithToken(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'account', token }],
    contexts: [{ name: 'account', cluster: cluster.name, user: 'account' }],
    currentContext: 'account',
  });
  return kc;
}

/** The same identity, talking to another address of the server (a fault proxy). */
export function withServer(kc: KubeConfig, server: string): KubeConfig {
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser()!;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [{ ...cluster, server }],
    users: [user],
    contexts: [{ name: 'proxied', cluster: cluster.name, user: user.name }],
    currentContext: 'proxied',
  });
  return out;
}

/** MetalLB's own CRDs, unchanged, with Portico's ExposureGrant: a cluster that runs MetalLB. */
export const METALLB_OWN_CRDS = [
  resolve(
    __dirname,
    '../../../../packages/test-cluster/fixtures/metallb-v0.16.2',
  ),
  resolve(CRDS, 'portico.dev_exposuregrants.yaml'),
];

export async function startHarness(
  options: { crds?: string[] } = {},
): Promise<KubeHarness> {
  const run = randomBytes(3).toString('hex');
  const ns = {
    metallb: `mlb-${run}`,
    agent: `portico-${run}`,
    apps: `apps-${run}`,
  };
  const leaseName = `portico-controller-${run}`;
  const target = await kubeTarget({ crds: options.crds ?? [CRDS] });
  const kc = new KubeConfig();
  kc.loadFromString(target.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const name of Object.values(ns)) {
    await core.createNamespace({ body: { metadata: { name } } });
  }
  const rendered = await renderDeploy({
    namespace: ns.agent,
    metallbNamespace: ns.metallb,
    leaseName,
  });
  const manifests = [
    ...rendered.filter(
      o =>
        ![
          'Namespace',
          'CustomResourceDefinition',
          'Deployment',
          'DaemonSet',
        ].includes(o.kind),
    ),
    ...(await loadManifests(PORTAL_RBAC)),
  ];
  for (const obj of manifests) {
    await createOrReplace(objects, obj as KubernetesObject);
  }
  // Admission policies take effect a moment after they are created.
  await target.cluster?.untilRefused(
    ipAddressPool(ns.metallb, 'probe', ['192.0.2.20-192.0.2.10']),
  );
  await target.cluster?.untilRefused(
    exposureGrant(
      `probe-${run}`,
      { namespace: ns.apps, name: 'probe' },
      ['192.0.2.1'],
      'probe',
    ),
  );

  const accounts: Record<Account, { namespace: string; name: string }> = {
    controller: { namespace: ns.agent, name: 'portico-controller' },
    speaker: { namespace: ns.agent, name: 'portico-speaker' },
    portal: { namespace: 'kube-system', name: 'portico-portal' },
  };
  const as = {} as Record<Account, KubeConfig>;
  for (const [account, sa] of Object.entries(accounts) as Array<
    [Account, { namespace: string; name: string }]
  >) {
    const response = await core.createNamespacedServiceAccountToken({
      namespace: sa.namespace,
      name: sa.name,
      body: { spec: { audiences: [], expirationSeconds: 3 * 3600 } },
    });
    as[account] = kubeConfigWithToken(kc, response.status!.token);
  }
  const fileDir = mkdtempSync(join(tmpdir(), 'portico-harness-'));
  const portalObjects = KubernetesObjectApi.makeApiClient(as.portal);
  const created: KubernetesObject[] = [];
  return {
    target,
    kc,
    as,
    kubeconfigPathAs(account) {
      const path = join(fileDir, `${account}.kubeconfig`);
      writeFileSync(path, as[account].exportConfig(), { mode: 0o600 });
      return path;
    },
    core,
    custom,
    run,
    ns,
    leaseName,
    loadBalancerClass: `portico.dev/test-${run}`,
    async create<T extends KubernetesObject>(obj: T): Promise<T> {
      const api = obj.kind === 'ExposureGrant' ? portalObjects : objects;
      const out = (await api.create(obj)) as T;
      if (!obj.metadata?.namespace) created.push(obj);
      return out;
    },
    startView(
      kinds: Kind[],
      signal: AbortSignal,
      identity: Account | KubeConfig = 'controller',
    ) {
      const view = new ClusterView({
        kubeConfig: typeof identity === 'string' ? as[identity] : identity,
        logger: silentLogger,
        metallbNamespace: ns.metallb,
        agentNamespace: ns.agent,
        kinds,
        debounceMs: 10,
      });
      view.start(signal);
      return view;
    },
    async remove(obj: KubernetesObject) {
      await objects.delete(obj);
    },
    async cleanup() {
      rmSync(fileDir, { recursive: true, force: true });
      if (target.outside) {
        for (const obj of created.reverse()) {
          await objects.delete(obj).catch(() => undefined);
        }
        for (const name of Object.values(ns)) {
          await core.deleteNamespace({ name }).catch(() => undefined);
        }
      }
      await target.stop();
    },
  };
}

/** Polls `probe` every 50 ms until it returns a value (not undefined), for at most `ms`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not met within ${ms} ms${last ? `: ${last}` : ''}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

export function loadBalancer(
  namespace: string,
  name: string,
  extra: {
    annotations?: Record<string, string>;
    spec?: Partial<NonNullable<V1Service['spec']>>;
  } = {},
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: extra.annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ port: 443, targetPort: 8443 as any, protocol: 'TCP' }],
      ...extra.spec,
    },
  };
}

export function ipAddressPool(
  namespace: string,
  name: string,
  addresses: string[],
  extra = {},
) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace },
    spec: { addresses, ...extra },
  };
}

export function exposureGrant(
  name: string,
  service: { namespace: string; name: string },
  addresses: string[],
  pool: string,
  extra = {},
) {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ExposureGrant',
    metadata: { name },
    spec: {
      service,
      addresses,
      pool,
      requestId: `req-${name}`,
      owner: 'group:default/team-edge',
      ...extra,
    },
  };
}
