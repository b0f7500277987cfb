import type { KubeConfig } from '@kubernetes/client-node';
import type { Route } from '../bgp/announcer/types';
import type { L2Status } from '../l2';
import {
  COMPONENT_LABEL,
  MetalLBStatusWriter,
  NODE_NAME_LABEL,
} from '../kube/metallbStatusWriter';
import type { ClusterSnapshot } from '../kube/snapshot';
import type { Logger } from '../logging';
import { configurationStateStatus } from '../controller/metallbStatus';
import { desiredServiceStatuses } from './metallbServiceStatus';

/**
 * What MetalLB's speaker writes, written by this node's speaker: ServiceL2Status
 * and ServiceBGPStatus per Service it announces, and its ConfigurationState
 * `speaker-<node>`. One report runs at a time; a failed one is retried by the next. Resolves
 * true when everything was written.
 */
export class MetalLBServiceStatusReporter {
  private readonly writer: MetalLBStatusWriter;
  private busy = false;

  constructor(
    kubeConfig: KubeConfig,
    namespace: string,
    private readonly nodeName: string,
    private readonly logger: Logger,
  ) {
    this.writer = new MetalLBStatusWriter(kubeConfig, namespace);
  }

  async report(
    snapshot: ClusterSnapshot,
    l2: L2Status | undefined,
    bgpRoutes: Map<string, Route[]>,
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const desired = desiredServiceStatuses(snapshot.services, l2, bgpRoutes);
      await this.writer.serviceStatuses(
        'ServiceL2Status',
        this.nodeName,
        desired.l2,
      );
      await this.writer.serviceStatuses(
        'ServiceBGPStatus',
        this.nodeName,
        desired.bgp,
      );
      await this.writer.configurationState(
        `speaker-${this.nodeName}`,
        { [COMPONENT_LABEL]: 'speaker', [NODE_NAME_LABEL]: this.nodeName },
        configurationStateStatus(snapshot.metallb.problems, new Date()),
      );
      return true;
    } catch (error) {
      this.logger.warn('could not write MetalLB service status', {
        error: String((error as Error)?.message ?? error),
      });
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** On shutdown: this node announces nothing any more. */
  async clear(): Promise<void> {
    for (const kind of ['ServiceL2Status', 'ServiceBGPStatus'] as const) {
      await this.writer
        .serviceStatuses(kind, this.nodeName, [])
        .catch(() => undefined);
    }
  }
}
