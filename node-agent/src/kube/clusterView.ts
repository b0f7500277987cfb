import { getMaxListeners, setMaxListeners } from 'node:events';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from '../logging';
import { Informer } from './informer';
import { trimSecret } from './peerSecrets';
import { buildSnapshot, ClusterSnapshot, RawCluster } from './snapshot';

export type Kind = keyof RawCluster;

export interface ClusterViewOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Where the MetalLB objects (and the Secrets BGPPeers name) live. */
  metallbNamespace: string;
  /** The agent's namespace, whose Leases are watched. */
  agentNamespace: string;
  /** Which kinds to watch; the others stay empty. Default: all. */
  kinds?: Kind[];
  /** Coalesces bursts of changes into one notification. */
  debounceMs?: number;
}

type Lister = () => Promise<KubernetesListObject<KubernetesObject>>;

interface Source {
  path: string;
  list: Lister;
  transform?: (obj: KubernetesObject) => KubernetesObject;
}

/**
 * The shared watch layer: one informer per kind, one typed snapshot. Listeners
 * hear about changes (coalesced); the snapshot is rebuilt lazily, once per burst.
 */
export class ClusterView {
  private readonly informers = new Map<Kind, Informer<KubernetesObject>>();
  private readonly listeners = new Set<() => void>();
  private cached: ClusterSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly options: ClusterViewOptions) {
    const kc = options.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const mlb = options.metallbNamespace;
    const crd = (
      group: string,
      version: string,
      plural: string,
      namespace?: string,
    ) => ({
      path: namespace
        ? `/apis/${group}/${version}/namespaces/${namespace}/${plural}`
        : `/apis/${group}/${version}/${plural}`,
      list: (() =>
        namespace
          ? custom.listNamespacedCustomObject({
              group,
              version,
              namespace,
              plural,
            })
          : custom.listClusterCustomObject({
              group,
              version,
              plural,
            })) as Lister,
    });
    const all: Record<Kind, Source> = {
      services: {
        path: '/api/v1/services',
        list: (() => core.listServiceForAllNamespaces()) as Lister,
      },
      endpointSlices: {
        path: '/apis/discovery.k8s.io/v1/endpointslices',
        list: (() => discovery.listEndpointSliceForAllNamespaces()) as Lister,
      },
      nodes: { path: '/api/v1/nodes', list: (() => core.listNode()) as Lister },
      namespaces: {
        path: '/api/v1/namespaces',
        list: (() => core.listNamespace()) as Lister,
      },
      leases: {
        path: `/apis/coordination.k8s.io/v1/namespaces/${options.agentNamespace}/leases`,
        list: (() =>
          coordination.listNamespacedLease({
            namespace: options.agentNamespace,
          })) as Lister,
      },
      grants: crd('portico.dev', 'v1alpha1', 'exposuregrants'),
      pools: crd('metallb.io', 'v1beta1', 'ipaddresspools', mlb),
      l2Advertisements: crd('metallb.io', 'v1beta1', 'l2advertisements', mlb),
      bgpAdvertisements: crd('metallb.io', 'v1beta1', 'bgpadvertisements', mlb),
      peers: crd('metallb.io', 'v1beta2', 'bgppeers', mlb),
      communities: crd('metallb.io', 'v1beta1', 'communities', mlb),
      bfdProfiles: crd('metallb.io', 'v1beta1', 'bfdprofiles', mlb),
      secrets: {
        path: `/api/v1/namespaces/${mlb}/secrets`,
        list: (() => core.listNamespacedSecret({ namespace: mlb })) as Lister,
        transform: trimSecret as (obj: KubernetesObject) => KubernetesObject,
      },
    };
    const kinds = options.kinds ?? (Object.keys(all) as Kind[]);
    for (const kind of kinds) {
      this.informers.set(
        kind,
        new Informer({
          name: kind,
          path: all[kind].path,
          list: all[kind].list,
          transform: all[kind].transform,
          kubeConfig: kc,
          logger: options.logger,
          onChange: () => this.changed(),
        }),
      );
    }
  }

  start(signal: AbortSignal): void {
    // Each informer and waiter listens for the abort: more than Node's default 10.
    setMaxListeners(Math.max(getMaxListeners(signal), 100), signal);
    for (const informer of this.informers.values()) informer.start(signal);
    signal.addEventListener('abort', () => clearTimeout(this.timer), {
      once: true,
    });
  }

  isSynced(): boolean {
    return [...this.informers.values()].every(i => i.isSynced());
  }

  async whenSynced(signal: AbortSignal): Promise<void> {
    await Promise.all(
      [...this.informers.values()].map(i => i.whenSynced(signal)),
    );
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Increments on every change; lets callers tell whether anything moved. */
  version(): number {
    return this.generation;
  }

  snapshot(): ClusterSnapshot {
    if (!this.cached) {
      const raw = {} as Record<Kind, unknown[]>;
      for (const kind of [
        'services',
        'endpointSlices',
        'nodes',
        'namespaces',
        'leases',
        'grants',
        'pools',
        'l2Advertisements',
        'bgpAdvertisements',
        'peers',
        'communities',
        'bfdProfiles',
        'secrets',
      ] as Kind[]) {
        raw[kind] = this.informers.get(kind)?.list() ?? [];
      }
      this.cached = buildSnapshot(raw as unknown as RawCluster);
    }
    return this.cached;
  }

  private changed() {
    this.generation++;
    this.cached = undefined;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of this.listeners) {
        try {
          l();
        } catch (error) {
          this.options.logger.error('view listener failed', {
            error: String(error),
          });
        }
      }
    }, this.options.debounceMs ?? 50);
  }
}
