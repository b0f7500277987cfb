import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  BackstageClusterEntry,
  ensureTestClusterBinaries,
  KubeObject,
  KubeTarget,
  kubeTarget,
  loadManifests,
  renderDeploy,
  startTestCluster,
  targetOf,
} from '@portico/test-cluster';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const DEPLOY_CRDS = resolve(REPO_ROOT, 'deploy/crds');
export const PORTAL_RBAC = resolve(REPO_ROOT, 'deploy/rbac/portal.yaml');
export const PORTAL_USER = 'system:serviceaccount:kube-system:portico-portal';
const MANAGED_RESOURCES = [
  'ipaddresspools.metallb.io',
  'l2advertisements.metallb.io',
  'bgpadvertisements.metallb.io',
  'bgppeers.metallb.io',
  'exposuregrants.portico.dev',
].join(',');

/**
 * A cluster the portal's reconciler runs against as itself: a fresh real
 * kube-apiserver (or the outside cluster of PORTICO_E2E_KUBECONFIG) holding the
 * admission policies of deploy/ and exactly the portal's RBAC of
 * deploy/rbac/portal.yaml, with the portal's ServiceAccount token minted by the
 * TokenRequest API. The MetalLB namespace of the run is not created: the
 * reconciler makes it.
 */
export interface PortalCluster {
  target: KubeTarget;
  run: string;
  /** MetalLB namespace of this run (absent until the reconciler creates it). */
  metallbNamespace: string;
  /** The node agent's namespace: holds the admission policies' parameters. */
  agentNamespace: string;
  portalToken: string;
  /** The Backstage cluster entry with the portal's token (or another one). */
  entry(name: string, token?: string): BackstageClusterEntry;
  /** kubectl (built from the same release as the server); throws on a non-zero exit. */
  kubectl(
    args: string[],
    options?: { as?: 'admin' | 'portal'; input?: string },
  ): Promise<string>;
  kubectlJson(args: string[], as?: 'admin' | 'portal'): Promise<any>;
  core: CoreV1Api;
  stop(): Promise<void>;
}

function withToken(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'portal', token }],
    contexts: [{ name: 'portal', cluster: cluster.name, user: 'portal' }],
    currentContext: 'portal',
  });
  return kc;
}

export async function startPortalCluster(
  options: {
    crds?: Array<KubeObject | string>;
    namespaces?: string[];
    users?: Record<string, string[]>;
    /**
     * Always a fresh test cluster, even with PORTICO_E2E_KUBECONFIG set: for tests
     * that need CRDs of their own or a cluster without a namespace controller.
     */
    fresh?: boolean;
  } = {},
): Promise<PortalCluster> {
  const run = randomBytes(3).toString('hex');
  const metallbNamespace = `mlb-${run}`;
  const agentNamespace = `portico-${run}`;
  const clusterOptions = {
    crds: options.crds ?? [DEPLOY_CRDS],
    namespaces: options.namespaces,
    users: options.users,
  };
  const target = options.fresh
    ? targetOf(await startTestCluster(clusterOptions))
    : await kubeTarget(clusterOptions);
  const dir = await mkdtemp(join(tmpdir(), 'portico-portal-cluster-'));
  try {
    const { kubectl: binary } = await ensureTestClusterBinaries();
    const kubeconfigs = {
      admin: target.kubeconfigPath,
      portal: join(dir, 'portal.kubeconfig'),
    };
    const kubectl: PortalCluster['kubectl'] = async (args, opts = {}) => {
      const child = promisify(execFile)(
        binary,
        [`--kubeconfig=${kubeconfigs[opts.as ?? 'admin']}`, ...args],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (opts.input !== undefined) child.child.stdin?.end(opts.input);
      return (await child).stdout;
    };
    const rendered = await renderDeploy({
      namespace: agentNamespace,
      metallbNamespace,
    });
    const deployObjects = rendered.filter(
      o =>
        (o.kind === 'Namespace' && o.metadata.name === agentNamespace) ||
        (o.kind === 'ConfigMap' && o.metadata.name === 'portico-agent') ||
        o.kind.startsWith('ValidatingAdmissionPolicy'),
    );
    const objects = [
      // The namespace first: the ConfigMap goes into it.
      ...deployObjects.filter(o => o.kind === 'Namespace'),
      ...deployObjects.filter(o => o.kind !== 'Namespace'),
      ...(await loadManifests(PORTAL_RBAC)),
    ];
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    });

    // A CRD just established answers 429 until its watch cache is ready.
    await eventually(
      'the CRDs to serve',
      () =>
        kubectl(['get', MANAGED_RESOURCES, '-A']).then(
          () => true,
          () => false,
        ),
      30_000,
    );

    const admin = new KubeConfig();
    admin.loadFromString(target.kubeconfig);
    const core = admin.makeApiClient(CoreV1Api);
    const minted = await core.createNamespacedServiceAccountToken({
      namespace: 'kube-system',
      name: 'portico-portal',
      body: { spec: { audiences: [], expirationSeconds: 3 * 3600 } },
    });
    const portalToken = minted.status!.token;
    await writeFile(
      kubeconfigs.portal,
      withToken(admin, portalToken).exportConfig(),
      { mode: 0o600 },
    );

    return {
      target,
      run,
      metallbNamespace,
      agentNamespace,
      portalToken,
      entry: (name, token = portalToken) =>
        target.cluster
          ? target.cluster.backstageCluster({ name, token })
          : { ...target.backstageCluster(name), serviceAccountToken: token },
      kubectl,
      kubectlJson: async (args, as) =>
        JSON.parse(await kubectl([...args, '-o', 'json'], { as })),
      core,
      async stop() {
        await rm(dir, { recursive: true, force: true });
        if (target.outside) {
          for (const ns of [metallbNamespace, agentNamespace]) {
            await core.deleteNamespace({ name: ns }).catch(() => undefined);
          }
        }
        await target.stop();
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    await target.stop();
    throw error;
  }
}

/** Polls `fn` every 200 ms until it returns a truthy value, for at most `timeoutMs`. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}
