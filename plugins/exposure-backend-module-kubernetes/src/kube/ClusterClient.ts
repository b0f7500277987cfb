import {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import type { ClusterEntry } from '../config/readReconcilerSettings';
import {
  KubeObject,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from '../render/kubeObject';

/** The calls the reconciler makes to one cluster, over `@kubernetes/client-node`. */
export class ClusterClient {
  static fromEntry(entry: ClusterEntry): ClusterClient {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: entry.name,
          server: entry.url,
          caData: entry.caData,
          skipTLSVerify: entry.skipTLSVerify,
        },
      ],
      users: [{ name: 'portico', token: entry.serviceAccountToken }],
      contexts: [{ name: entry.name, cluster: entry.name, user: 'portico' }],
      currentContext: entry.name,
    });
    return new ClusterClient(KubernetesObjectApi.makeApiClient(kc));
  }

  private constructor(private readonly api: KubernetesObjectApi) {}

  /** Objects of one kind that Portico wrote, in every namespace. */
  async listManaged(apiVersion: string, kind: string): Promise<KubeObject[]> {
    return this.list(
      apiVersion,
      kind,
      `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
    );
  }

  async list(
    apiVersion: string,
    kind: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const result = await this.api.list(
      apiVersion,
      kind,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    );
    return result.items.map(item => ({
      ...(item as KubeObject),
      apiVersion,
      kind,
    }));
  }

  async create(object: KubeObject): Promise<void> {
    await this.api.create(object as KubernetesObject);
  }

  async replace(object: KubeObject): Promise<void> {
    await this.api.replace(object as KubernetesObject);
  }

  async delete(object: KubeObject): Promise<void> {
    await this.api.delete(object as KubernetesObject);
  }

  /** Creates the namespace unless it is there; a 403 is left to the writes that follow. */
  async ensureNamespace(name: string): Promise<void> {
    const header = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    try {
      await this.api.read(header);
    } catch (error) {
      if (httpStatusOf(error) !== 404) return;
      await this.api.create(header);
    }
  }
}

/** The HTTP status of a client-node ApiException, if the error is one. */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
