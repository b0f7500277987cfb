import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
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
 * loopback (plain HTTP: it never leaves the machine; the portal and this process
 * reach it there), relayed into each node namespace on 127.0.0.1:6443 for the
 * agents (see apiRelay.ts). Seeded with the Nodes, Services and EndpointSlices.
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
      tls: false,
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
          `http://127.0.0.1:${NODE_API_PORT}`,
          server.adminToken,
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

  /** A REST call as cluster admin; JSON in and out. Throws on a status other than 2xx and 404 (undefined). */
  async request<T = KubeObject>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T | undefined> {
    const res = await fetch(`${this.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.server.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
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
