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
import { assertListedCall } from './clusterCalls';

/** The component named on the Events the reconciler writes. */
export const EVENT_SOURCE = 'portico-portal';

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
    assertListedCall(apiVersion, kind, 'list');
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
    assertListedCall(object.apiVersion, object.kind, 'create');
    await this.api.create(object as KubernetesObject);
  }

  async replace(object: KubeObject): Promise<void> {
    assertListedCall(object.apiVersion, object.kind, 'update');
    await this.api.replace(object as KubernetesObject);
  }

  /** Deletes the object; with `uid`, only that very object (not one made again under its name). */
  async delete(
    object: KubeObject,
    options: { uid?: string } = {},
  ): Promise<void> {
    assertListedCall(object.apiVersion, object.kind, 'delete');
    await this.api.delete(
      object as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      options.uid ? { preconditions: { uid: options.uid } } : undefined,
    );
  }

  /**
   * A core/v1 Event about `about`, as `kubectl describe` shows it (events of a
   * cluster-scoped object live in `default`).
   */
  async recordEvent(
    about: KubeObject,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string },
  ): Promise<void> {
    const now = new Date().toISOString();
    const uid = (about.metadata as { uid?: string }).uid;
    const namespace = about.metadata.namespace ?? 'default';
    assertListedCall('v1', 'Event', 'create');
    await this.api.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${about.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: about.apiVersion,
        kind: about.kind,
        name: about.metadata.name,
        ...(about.metadata.namespace
          ? { namespace: about.metadata.namespace }
          : {}),
        ...(uid ? { uid } : {}),
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as KubernetesObject);
  }

  /** One object by name, or undefined when the cluster has none of that name. */
  async read(header: KubeObject): Promise<KubeObject | undefined> {
    assertListedCall(
      header.apiVersion,
      header.kind,
      'get',
      header.metadata.name,
    );
    try {
      return (await this.api.read(header as any)) as unknown as KubeObject;
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates the namespace unless it is there; throws when it can do neither. */
  async ensureNamespace(name: string): Promise<'present' | 'created'> {
    const header = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    if (await this.read(header)) return 'present';
    try {
      await this.create(header);
    } catch (error) {
      // Another replica made it in between.
      if (httpStatusOf(error) !== 409) throw error;
    }
    return 'created';
  }
}

/** The HTTP status of a client-node ApiException, if the error is one. */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
