import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  Allocation,
  ClusterStatus,
  ClustersView,
  ExposureConfig,
} from '@portico/plugin-exposure-common';
import type {
  ClusterEntry,
  ReconcilerSettings,
} from '../config/readReconcilerSettings';
import { ClusterClient, httpStatusOf } from '../kube/ClusterClient';
import { renderDesiredObjects } from '../render/renderDesiredObjects';
import { syncObjects } from '../reconcile/syncObjects';
import {
  ClusterObservation,
  buildClusterReport,
} from '../report/clusterReport';

interface ClusterState {
  entry: ClusterEntry;
  client: ClusterClient;
  status: ClusterStatus;
  observation?: ClusterObservation;
  nextAttempt: number;
}

/** Something that lists the active allocations (the exposure service). */
export interface AllocationSource {
  listActiveAllocations(): Promise<Allocation[]>;
}

/**
 * Writes each cluster's desired state (MetalLB pools and ExposureGrants) and
 * reads back its LoadBalancer Services and grants. A cluster that is down or
 * refuses is marked so and retried with exponential backoff; the database is
 * only ever read here, so nothing in it depends on a cluster answering.
 */
export class ClusterReconciler {
  private readonly states: ClusterState[];
  private allocations: Allocation[] = [];
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly options: {
      settings: ReconcilerSettings;
      exposure: ExposureConfig;
      logger: LoggerService;
      clientFor?: (entry: ClusterEntry) => ClusterClient;
      now?: () => number;
    },
  ) {
    const clientFor = options.clientFor ?? ClusterClient.fromEntry;
    this.states = options.settings.clusters.map(entry => ({
      entry,
      client: clientFor(entry),
      status: {
        name: entry.name,
        url: entry.url,
        reachable: false,
        failures: 0,
      },
      nextAttempt: 0,
    }));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * Runs a pass now, or right after the one under way: a change that lands
   * during a pass is never left for the next tick.
   */
  async request(source: AllocationSource): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.reconcileAll(source);
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One pass over every cluster whose backoff has run out. */
  async reconcileAll(source: AllocationSource): Promise<void> {
    this.allocations = await source.listActiveAllocations();
    await Promise.all(
      this.states
        .filter(s => s.nextAttempt <= this.now())
        .map(s => this.reconcileOne(s)),
    );
  }

  private async reconcileOne(state: ClusterState): Promise<void> {
    const { settings, exposure, logger } = this.options;
    const desired = renderDesiredObjects(
      exposure,
      this.allocations,
      state.entry.name,
      settings.metallbNamespace,
    );
    try {
      if (desired.some(o => o.metadata.namespace)) {
        await state.client.ensureNamespace(settings.metallbNamespace);
      }
      const sync = await syncObjects(state.client, desired);
      const [services, grants] = await Promise.all([
        state.client.list('v1', 'Service'),
        state.client.list('portico.dev/v1alpha1', 'ExposureGrant'),
      ]);
      state.observation = { cluster: state.entry.name, services, grants };
      state.nextAttempt = 0;
      state.status = {
        ...state.status,
        reachable: true,
        failures: 0,
        lastSyncAt: new Date(this.now()).toISOString(),
        lastError: undefined,
        nextAttemptAt: undefined,
        lastSync: sync,
      };
      if (sync.created + sync.updated + sync.deleted > 0) {
        logger.info('cluster reconciled', {
          cluster: state.entry.name,
          ...sync,
        });
      }
    } catch (error) {
      const failures = state.status.failures + 1;
      const waitMs =
        Math.min(settings.maxBackoffSeconds, 2 ** (failures - 1)) * 1000;
      state.nextAttempt = this.now() + waitMs;
      state.observation = undefined;
      const message = describeClusterError(error);
      if (state.status.lastError !== message) {
        logger.warn('cluster not reconciled', {
          cluster: state.entry.name,
          error: message,
        });
      }
      state.status = {
        ...state.status,
        reachable: false,
        failures,
        lastError: message,
        nextAttemptAt: new Date(state.nextAttempt).toISOString(),
      };
    }
  }

  view(): ClustersView {
    const observations = this.states
      .map(s => s.observation)
      .filter((o): o is ClusterObservation => !!o);
    return {
      clusters: this.states.map(s => s.status),
      ...buildClusterReport(
        this.options.exposure,
        this.allocations,
        observations,
      ),
    };
  }
}

/** A cluster error in words a platform engineer can act on. */
export function describeClusterError(error: unknown): string {
  const status = httpStatusOf(error);
  const body = (error as { body?: unknown })?.body;
  const detail =
    typeof body === 'string'
      ? safeMessage(body)
      : (body as { message?: string } | undefined)?.message;
  if (status === 401) return 'unauthorized: the cluster rejected the token';
  if (status === 403)
    return `forbidden: ${detail ?? 'the token may not do this'}`;
  if (status) return `HTTP ${status}: ${detail ?? String(error)}`;
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return cause
    ? `unreachable (${cause}): ${message}`
    : `unreachable: ${message}`;
}

function safeMessage(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return body.slice(0, 200) || undefined;
  }
}
