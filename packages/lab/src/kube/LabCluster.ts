import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import {
  KubeObject,
  KubeTestServer,
  startKubeTestServer,
} from '@portico/kube-test-server';
import { renderKubeconfig } from './kubeconfig';
import { ApiRelay } from './apiRelay';
import { CRD_DIR } from '../paths';
import { NODE_API_PORT, Topology } from '../topology';
import {
  AGENT_NAMESPACE,
  APP_NAMESPACE,
  METALLB_NAMESPACE,
  seedObjects,
} from './workloadObjects';

/**
 * The lab's Kubernetes cluster: the test API server on the root namespace's
 * loopback (HTTPS with its own CA, as a real cluster: kubectl sends tokens only
 * over TLS), relayed into each node namespace on 127.0.0.1:6443 for the agents
 * (see apiRelay.ts; the certificate names 127.0.0.1, so it verifies there too).
 * Seeded with the Nodes, Services and EndpointSlices.
 */
export class LabCluster {
  private constructor(
    readonly server: KubeTestServer,
    private readonly relay: ApiRelay,
    /** kubeconfig file for agents inside node namespaces. */
    readonly nodeKubeconfigPath: string,
  ) {}

  static async start(topology: Topology, dir: string): Promise<LabCluster> {
    const server = await startKubeTestServer({
      host: '127.0.0.1',
      namespaces: [APP_NAMESPACE, AGENT_NAMESPACE, METALLB_NAMESPACE],
      crds: existsSync(CRD_DIR) ? [CRD_DIR] : [],
      objects: seedObjects(topology),
      kubeconfigPath: join(dir, 'kubeconfig'),
      bookmarkIntervalMs: 5_000,
    });
    const relay = new ApiRelay(
      { host: '127.0.0.1', port: Number(new URL(server.url).port) },
      join(dir, 'kube.sock'),
    );
    const nodeKubeconfigPath = join(dir, 'kubeconfig.node');
    try {
      await relay.start();
      for (const node of topology.nodes)
        await relay.openIn(node.netns, NODE_API_PORT);
      await writeFile(
        nodeKubeconfigPath,
        renderKubeconfig(
          `https://127.0.0.1:${NODE_API_PORT}`,
          server.adminToken,
          server.certificateAuthority!,
        ),
        { mode: 0o600 },
      );
    } catch (error) {
      await relay.stop();
      await server.stop();
      throw error;
    }
    return new LabCluster(server, relay, nodeKubeconfigPath);
  }

  get url(): string {
    return this.server.url;
  }

  /** A REST call as cluster admin; JSON in and out. Undefined on 404; throws on other errors. */
  async request<T = KubeObject>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T | undefined> {
    const { status, text } = await httpsJson(this.server, method, path, body);
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
    await this.server.stop();
  }
}

/** One HTTPS request to the API server, trusting only its CA. */
function httpsJson(
  server: KubeTestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${server.url}${path}`,
      {
        method,
        ca: server.certificateAuthority,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
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
