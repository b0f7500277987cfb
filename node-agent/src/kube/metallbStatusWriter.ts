import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { IPAddressPoolStatus } from '../metallb/types';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const GROUP = 'metallb.io';
const VERSION = 'v1beta1';

/** The labels MetalLB puts on its status objects, so its tools find ours. */
export const NODE_LABEL = 'metallb.io/node';
export const SERVICE_NAME_LABEL = 'metallb.io/service-name';
export const SERVICE_NAMESPACE_LABEL = 'metallb.io/service-namespace';
export const COMPONENT_LABEL = 'metallb.io/component-type';
export const NODE_NAME_LABEL = 'metallb.io/node-name';

export interface ConfigurationStateStatus {
  result: 'Valid' | 'Invalid' | 'Unknown';
  errorSummary: string;
  conditions: Array<{
    type: string;
    status: 'True' | 'False' | 'Unknown';
    reason: string;
    message: string;
    lastTransitionTime: string;
  }>;
}

export type ServiceStatusKind = 'ServiceL2Status' | 'ServiceBGPStatus';

/** One ServiceL2Status / ServiceBGPStatus a node should have. */
export interface DesiredServiceStatus {
  serviceNamespace: string;
  serviceName: string;
  /** ServiceL2Status: interfaces; ServiceBGPStatus: peers. */
  interfaces?: Array<{ name: string }>;
  peers?: string[];
}

const PLURAL: Record<ServiceStatusKind, string> = {
  ServiceL2Status: 'servicel2statuses',
  ServiceBGPStatus: 'servicebgpstatuses',
};
const PREFIX: Record<ServiceStatusKind, string> = {
  ServiceL2Status: 'l2-',
  ServiceBGPStatus: 'bgp-',
};

/** A write is skipped when the same content was written less than this ago. */
const RESYNC_MS = 60_000;

/** JSON with object keys sorted, as the API server returns them. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

function statusOf(error: unknown): number | undefined {
  return (error as { code?: number })?.code;
}

/**
 * Writes the status objects MetalLB's components write, in the MetalLB namespace:
 * IPAddressPool status counters, ConfigurationState, ServiceL2Status and
 * ServiceBGPStatus. Identical content is not rewritten (but re-asserted once a
 * minute, should someone have deleted or changed it).
 */
export class MetalLBStatusWriter {
  private readonly api: CustomObjectsApi;
  private readonly written = new Map<string, { key: string; at: number }>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly now: () => number = Date.now,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  private fresh(id: string, content: unknown): boolean {
    const key = JSON.stringify(content);
    const last = this.written.get(id);
    return !!last && last.key === key && this.now() - last.at < RESYNC_MS;
  }

  private remember(id: string, content: unknown) {
    this.written.set(id, { key: JSON.stringify(content), at: this.now() });
  }

  async poolStatus(name: string, status: IPAddressPoolStatus): Promise<void> {
    const id = `pool/${name}`;
    if (this.fresh(id, status)) return;
    await this.api.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural: 'ipaddresspools',
        name,
        body: { status },
      },
      mergePatch,
    );
    this.remember(id, status);
  }

  async configurationState(
    name: string,
    labels: Record<string, string>,
    status: ConfigurationStateStatus,
  ): Promise<void> {
    const id = `configurationstate/${name}`;
    // lastTransitionTime moves only when the result does.
    const content = {
      ...status,
      conditions: status.conditions.map(c => ({
        ...c,
        lastTransitionTime: '',
      })),
    };
    if (this.fresh(id, content)) return;
    await this.ensure('configurationstates', name, labels);
    await this.api.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural: 'configurationstates',
        name,
        body: { status },
      },
      mergePatch,
    );
    this.remember(id, content);
  }

  /**
   * Makes this node's objects of `kind` exactly `desired`: one per Service,
   * labelled as MetalLB labels them; stale ones are deleted.
   */
  async serviceStatuses(
    kind: ServiceStatusKind,
    node: string,
    desired: DesiredServiceStatus[],
  ): Promise<void> {
    const id = `${kind}/${node}`;
    if (this.fresh(id, desired)) return;
    const plural = PLURAL[kind];
    const list = (await this.api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural,
      labelSelector: `${NODE_LABEL}=${node}`,
    })) as {
      items: Array<{
        metadata: { name: string; labels?: Record<string, string> };
        status?: Record<string, unknown>;
      }>;
    };
    const byService = new Map(
      list.items.map(o => [
        `${o.metadata.labels?.[SERVICE_NAMESPACE_LABEL]}/${o.metadata.labels?.[SERVICE_NAME_LABEL]}`,
        o,
      ]),
    );
    const keep = new Set<string>();
    for (const want of desired) {
      const key = `${want.serviceNamespace}/${want.serviceName}`;
      const status = {
        node,
        serviceName: want.serviceName,
        serviceNamespace: want.serviceNamespace,
        ...(kind === 'ServiceL2Status'
          ? { interfaces: want.interfaces ?? [] }
          : { peers: want.peers ?? [] }),
      };
      let existing = byService.get(key);
      if (existing) keep.add(existing.metadata.name);
      if (
        existing &&
        canonical(existing.status) === canonical(status)
      )
        continue;
      if (!existing) {
        existing = (await this.api.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: this.namespace,
          plural,
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind,
            metadata: {
              generateName: PREFIX[kind],
              labels: {
                [NODE_LABEL]: node,
                [SERVICE_NAME_LABEL]: want.serviceName,
                [SERVICE_NAMESPACE_LABEL]: want.serviceNamespace,
              },
            },
            spec: {},
          },
        })) as typeof existing;
        keep.add(existing!.metadata.name);
      }
      await this.api.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace: this.namespace,
          plural,
          name: existing!.metadata.name,
          body: { status },
        },
        mergePatch,
      );
    }
    for (const o of list.items) {
      if (keep.has(o.metadata.name)) continue;
      await this.api
        .deleteNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: this.namespace,
          plural,
          name: o.metadata.name,
        })
        .catch(error => {
          if (statusOf(error) !== 404) throw error;
        });
    }
    this.remember(id, desired);
  }

  private async ensure(
    plural: string,
    name: string,
    labels: Record<string, string>,
  ): Promise<void> {
    try {
      await this.api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'ConfigurationState',
          metadata: { name, labels },
        },
      });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
  }
}
