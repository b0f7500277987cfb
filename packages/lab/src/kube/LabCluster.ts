import { writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import {
  KubeObject,
  startTestCluster,
  TestCluster,
} from '@portico/test-cluster';
import { ApiRelay } from './apiRelay';
import { LabAccount, mintTokens, porticoInstallObjects } from './labIdentities';
import { CRD_DIR } from '../paths';
import { NODE_API_PORT, Topology } from '../topology';
import { APP_NAMESPACE, seedObjects } from './workloadObjects';

export type { KubeObject };

/**
 * The lab's Kubernetes cluster: a real kube-apiserver and etcd on the root
 * namespace's loopback (@portico/test-cluster), relayed into each node namespace
 * on 127.0.0.1:6443 for the speakers (see apiRelay.ts; the serving certificate
 * names 127.0.0.1, so it verifies there too). Portico is installed as deploy/
 * renders it, and each component has its own ServiceAccount: the controller, the
 * speakers and the portal act with exactly the rights deploy/ gives them, and
 * admission takes ExposureGrants from the portal only. Seeded with the Nodes,
 * Services and EndpointSlices.
 */
export class LabCluster {
  private constructor(
    private readonly cluster: TestCluster,
    private readonly relay: ApiRelay,
    /** Each component's ServiceAccount token. */
    readonly tokens: Record<LabAccount, string>,
    /** kubeconfig files: `speaker` points at the relay inside node namespaces. */
    private readonly kubeconfigs: Record<LabAccount, string>,
  ) {}

  static async start(topology: Topology, dir: string): Promise<LabCluster> {
    const cluster = await startTestCluster({
      crds: [CRD_DIR],
      namespaces: [APP_NAMESPACE],
      kubeconfigPath: join(dir, 'kubeconfig'),
    });
    const relay = new ApiRelay(
      { host: '127.0.0.1', port: Number(new URL(cluster.url).port) },
      join(dir, 'kube.sock'),
    );
    try {
      await cluster.apply(await porticoInstallObjects());
      await cluster.apply(seedObjects(topology));
      const tokens = await mintTokens(cluster);
      const kubeconfigs = {} as Record<LabAccount, string>;
      for (const account of Object.keys(tokens) as LabAccount[]) {
        kubeconfigs[account] = join(dir, `kubeconfig.${account}`);
        await writeFile(
          kubeconfigs[account],
          cluster.kubeconfigFor(tokens[account], {
            user: `portico-${account}`,
            server:
              account === 'speaker'
                ? `https://127.0.0.1:${NODE_API_PORT}`
                : undefined,
          }),
          { mode: 0o600 },
        );
      }
      await relay.start();
      for (const node of topology.nodes)
        await relay.openIn(node.netns, NODE_API_PORT);
      return new LabCluster(cluster, relay, tokens, kubeconfigs);
    } catch (error) {
      await relay.stop();
      await cluster.stop();
      throw error;
    }
  }

  get url(): string {
    return this.cluster.url;
  }

  /** What the API server's /version reports, e.g. `v1.37.2`. */
  get version(): string {
    return this.cluster.version;
  }

  /** The admin kubeconfig file (for the lab's user and its checks). */
  get kubeconfigPath(): string {
    return this.cluster.kubeconfigPath;
  }

  /** The API server's and etcd's directory (removed by stop). */
  get dir(): string {
    return this.cluster.dir;
  }

  /** PEM CA certificate of the API server's serving certificate. */
  get certificateAuthority(): string {
    return this.cluster.certificateAuthority;
  }

  /** The kubectl built with the API server (the same release). */
  get kubectlBinary(): string {
    return this.cluster.binaries.kubectl;
  }

  /** The kubeconfig of a component's ServiceAccount (the speaker's is for inside node namespaces). */
  kubeconfigOf(account: LabAccount): string {
    return this.kubeconfigs[account];
  }

  /** `kubectl apply --server-side` as the admin, as a platform team applies MetalLB objects by hand. */
  apply(objects: KubeObject[] | KubeObject): Promise<void> {
    return this.cluster.apply(objects);
  }

  /**
   * Writes an ExposureGrant as the portal does: a server-side apply as the
   * portal's ServiceAccount, the only identity admission lets write grants.
   */
  async applyGrant(grant: KubeObject): Promise<void> {
    const path = `/apis/portico.dev/v1alpha1/exposuregrants/${grant.metadata.name}?fieldManager=portico-portal&force=true`;
    const { status, text } = await httpsJson(
      this.cluster,
      this.tokens.portal,
      'PATCH',
      path,
      grant,
      'application/apply-patch+yaml',
    );
    if (status < 200 || status >= 300) {
      throw new Error(`apply ${path} as the portal: ${status} ${text}`);
    }
  }

  /** A REST call as cluster admin; JSON in and out. Undefined on 404; throws on other errors. */
  async request<T = KubeObject>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T | undefined> {
    const { status, text } = await httpsJson(
      this.cluster,
      this.cluster.adminToken,
      method,
      path,
      body,
    );
    if (status === 404) return undefined;
    if (status < 200 || status >= 300) {
      throw new Error(`${method} ${path}: ${status} ${text.slice(0, 1000)}`);
    }
    return JSON.parse(text) as T;
  }

  async service(
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined> {
    return this.request(
      'GET',
      `/api/v1/namespaces/${namespace}/services/${name}`,
    );
  }

  /** The Service's `status.loadBalancer.ingress` IPs. */
  async ingressOf(namespace: string, name: string): Promise<string[]> {
    const service = await this.service(namespace, name);
    const ingress = (
      service?.status as
        | { loadBalancer?: { ingress?: Array<{ ip?: string }> } }
        | undefined
    )?.loadBalancer?.ingress;
    return (ingress ?? []).map(i => i.ip).filter((ip): ip is string => !!ip);
  }

  async list(path: string): Promise<KubeObject[]> {
    const list = await this.request<{ items: KubeObject[] }>('GET', path);
    return list?.items ?? [];
  }

  async stop(): Promise<void> {
    await this.relay.stop();
    await this.cluster.stop();
  }
}

/** One HTTPS request to the API server with a bearer token, trusting only its CA. */
function httpsJson(
  cluster: TestCluster,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.url}${path}`,
      {
        method,
        ca: cluster.certificateAuthority,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': contentType } : {}),
        },
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path}: timed out`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}
