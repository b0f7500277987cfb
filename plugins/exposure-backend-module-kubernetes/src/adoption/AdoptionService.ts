import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  AdoptionReport,
  ExposureConfig,
  ServicePort,
} from '@portico/plugin-exposure-common';
import type { ExposureAllocationSource } from '@portico/plugin-exposure-node';
import type { ReconcilerSettings } from '../config/readReconcilerSettings';
import type { ClusterClient } from '../kube/ClusterClient';
import type { KubeObject } from '../render/kubeObject';
import {
  ClusterService,
  KUBERNETES_ID,
  adoptionToken,
  planAdoption,
} from './planAdoption';

/** Finds catalog entities by their `backstage.io/kubernetes-id` annotation. */
export interface ComponentDirectory {
  byKubernetesId(
    ids: string[],
    credentials?: BackstageCredentials,
  ): Promise<Map<string, { entityRef: string; owner: string }>>;
}

function servicesOf(objects: KubeObject[]): ClusterService[] {
  return objects
    .map(o => o as any)
    .filter(o => o.spec?.type === 'LoadBalancer')
    .map(o => ({
      namespace: o.metadata?.namespace ?? 'default',
      name: o.metadata?.name ?? '',
      addresses: (o.status?.loadBalancer?.ingress ?? [])
        .map((i: { ip?: string }) => i.ip)
        .filter((ip: unknown): ip is string => typeof ip === 'string'),
      labels: o.metadata?.labels ?? {},
      annotations: o.metadata?.annotations ?? {},
      ports: (o.spec?.ports ?? []).map((p: any) => ({
        port: p.port,
        protocol: p.protocol ?? 'TCP',
      })) as ServicePort[],
    }))
    .filter(s => s.addresses.length > 0);
}

/**
 * Adoption of a cluster that already runs MetalLB: a dry run reads the cluster
 * (its IPAddressPools and every Service holding an address), the other clusters
 * of its segments, the catalog and the portal's allocations, and reports; a
 * confirmation with the dry run's token writes the candidates as allocations.
 */
export class AdoptionService {
  constructor(
    private readonly options: {
      settings: ReconcilerSettings;
      exposure: ExposureConfig;
      clientOf: (cluster: string) => ClusterClient | undefined;
      components: ComponentDirectory;
    },
  ) {}

  private async readServices(cluster: string): Promise<ClusterService[]> {
    const client = this.options.clientOf(cluster);
    if (!client) throw new NotFoundError(`no cluster named ${cluster}`);
    return servicesOf(await client.list('v1', 'Service'));
  }

  async dryRun(
    cluster: string,
    source: ExposureAllocationSource,
    credentials?: BackstageCredentials,
  ): Promise<AdoptionReport> {
    const client = this.options.clientOf(cluster);
    if (!client) throw new NotFoundError(`no cluster named ${cluster}`);
    const { exposure, settings } = this.options;
    const services = await this.readServices(cluster);
    const clusterPools = (
      await client.list('metallb.io/v1beta1', 'IPAddressPool')
    )
      .filter(p => p.metadata.namespace === settings.metallbNamespace)
      .map(p => ({
        name: p.metadata.name,
        addresses: ((p as any).spec?.addresses ?? []) as string[],
      }));
    const neighbours = new Set(
      exposure.segments
        .filter(s => s.clusters.includes(cluster))
        .flatMap(s => s.clusters)
        .filter(c => c !== cluster),
    );
    const otherClusters: Array<{
      cluster: string;
      services: ClusterService[];
    }> = [];
    for (const other of neighbours) {
      // A neighbour that does not answer cannot be checked; the platform team
      // sees it in the Clusters tab.
      const found = await this.readServices(other).catch(() => undefined);
      if (found) otherClusters.push({ cluster: other, services: found });
    }
    const ids = [
      ...new Set(
        services
          .map(s => s.labels[KUBERNETES_ID] ?? s.annotations[KUBERNETES_ID])
          .filter((id): id is string => !!id),
      ),
    ];
    return planAdoption({
      cluster,
      config: exposure,
      clusterPools,
      services,
      components: await this.options.components.byKubernetesId(
        ids,
        credentials,
      ),
      namespaceOwners: settings.adoption.namespaceOwners,
      allocations: await source.listActiveAllocations(),
      otherClusters,
    });
  }

  /** Writes what the dry run with `token` listed; refuses when the cluster changed since. */
  async confirm(
    cluster: string,
    token: string,
    actor: string,
    source: ExposureAllocationSource,
    credentials?: BackstageCredentials,
  ): Promise<AdoptionReport> {
    const report = await this.dryRun(cluster, source, credentials);
    if (report.token !== token) {
      throw new ConflictError(
        'the cluster or the portal changed since this dry run: run the dry run again and review it',
      );
    }
    if (!source.adoptAllocations) {
      throw new Error('the exposure plugin cannot record adoptions');
    }
    const outcomes = await source.adoptAllocations(
      actor,
      report.adopt.map(c => ({
        cluster,
        namespace: c.namespace,
        serviceName: c.serviceName,
        address: c.address,
        pool: c.pool,
        owner: c.owner,
        entityRef: c.entityRef,
        ports: c.ports,
      })),
    );
    const adopted = outcomes.flatMap(o =>
      'requestId' in o
        ? [
            {
              requestId: o.requestId,
              namespace: o.namespace,
              serviceName: o.serviceName,
              address: o.address,
            },
          ]
        : [],
    );
    const failed = outcomes.flatMap(o =>
      'error' in o
        ? [
            {
              namespace: o.namespace,
              serviceName: o.serviceName,
              address: o.address,
              reason: 'held-by-another-allocation' as const,
              message: o.error,
            },
          ]
        : [],
    );
    return {
      ...report,
      dryRun: false,
      token: adoptionToken(cluster, []),
      adopt: report.adopt.filter(c =>
        adopted.some(
          a =>
            a.namespace === c.namespace &&
            a.serviceName === c.serviceName &&
            a.address === c.address,
        ),
      ),
      skipped: [...report.skipped, ...failed],
      adopted,
    };
  }
}
