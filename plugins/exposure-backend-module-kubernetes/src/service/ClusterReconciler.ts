import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type {
  Allocation,
  ClusterProblem,
  ClusterStatus,
  ClustersView,
  ExposureConfig,
} from '@portico/plugin-exposure-common';
import type {
  ClusterEntry,
  ReconcilerSettings,
} from '../config/readReconcilerSettings';
import { ClusterClient, httpStatusOf } from '../kube/ClusterClient';
import { readCrdSchemas } from '../kube/crdSchemas';
import { describeClusterError } from '../kube/describeClusterError';
import { fitToCrds } from '../render/fitToCrds';
import { renderDesiredObjects } from '../render/renderDesiredObjects';
import { removeUnallocatedGrants } from '../reconcile/removeUnallocatedGrants';
import { syncObjects } from '../reconcile/syncObjects';
import { UnallocatedGrantTracker } from '../reconcile/unallocatedGrants';
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
  unallocated: UnallocatedGrantTracker;
}

export { describeClusterError };

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
  /** Every request this replica has seen hold an allocation since it started. */
  private readonly seenRequests = new Set<string>();
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly options: {
      settings: ReconcilerSettings;
      exposure: ExposureConfig;
      logger: LoggerService;
      auditor?: AuditorService;
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
      unallocated: new UnallocatedGrantTracker(
        options.settings.unallocatedGrantGraceSeconds * 1000,
      ),
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
    this.allocations.forEach(a => this.seenRequests.add(a.requestId));
    await Promise.all(
      this.states
        .filter(s => s.nextAttempt <= this.now())
        .map(s => this.reconcileOne(s)),
    );
  }

  private async reconcileOne(state: ClusterState): Promise<void> {
    const { settings, exposure, logger } = this.options;
    const { client, entry } = state;
    const rendered = renderDesiredObjects(
      exposure,
      this.allocations,
      entry.name,
      settings.metallbNamespace,
    );
    try {
      const problems: ClusterProblem[] = [];
      if (rendered.some(o => o.metadata.namespace)) {
        problems.push(...(await this.ensureNamespace(client)));
      }
      const schemas = await readCrdSchemas(client);
      const fitted = fitToCrds(rendered, schemas);
      problems.push(...schemas.problems, ...fitted.problems);
      // A managed grant of a request seen active here was released or expired:
      // it goes at once. One of a request never seen here may be another
      // replica's newest: it waits out the grace period like any other grant
      // without an allocation.
      const sync = await syncObjects(client, fitted.objects, {
        keep: o =>
          o.kind === 'ExposureGrant' &&
          !this.seenRequests.has(
            ((o.spec ?? {}) as { requestId?: string }).requestId ?? '',
          ),
      });
      problems.push(...sync.problems);
      const [services, allGrants] = await Promise.all([
        client.list('v1', 'Service'),
        client.list('portico.dev/v1alpha1', 'ExposureGrant'),
      ]);
      const review = state.unallocated.review(
        allGrants,
        this.allocations,
        entry.name,
        this.now(),
      );
      const removal = await removeUnallocatedGrants({
        cluster: entry.name,
        client,
        review,
        auditor: this.options.auditor,
      });
      problems.push(...removal.problems);
      for (const grant of removal.removed) {
        logger.warn('removed a grant that matches no active allocation', {
          cluster: entry.name,
          grant: grant.metadata.name,
        });
      }
      const grants = allGrants.filter(g => !removal.removed.includes(g));
      state.observation = { cluster: entry.name, services, grants };
      state.nextAttempt = 0;
      const { created, updated, deleted } = sync;
      state.status = {
        ...state.status,
        reachable: true,
        failures: 0,
        lastSyncAt: new Date(this.now()).toISOString(),
        lastError: undefined,
        nextAttemptAt: undefined,
        lastSync: { created, updated, deleted },
        problems: problems.length ? problems : undefined,
      };
      if (created + updated + deleted > 0) {
        logger.info('cluster reconciled', {
          cluster: entry.name,
          created,
          updated,
          deleted,
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
          cluster: entry.name,
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

  /**
   * Makes the MetalLB namespace when the cluster lacks it. A refusal is reported
   * and the pass goes on: grants are cluster-scoped and need no namespace.
   */
  private async ensureNamespace(
    client: ClusterClient,
  ): Promise<ClusterProblem[]> {
    const name = this.options.settings.metallbNamespace;
    try {
      await client.ensureNamespace(name);
      return [];
    } catch (error) {
      const status = httpStatusOf(error);
      if (!status || status === 401) throw error;
      return [
        {
          object: `Namespace//${name}`,
          message: `cannot create the MetalLB namespace: ${describeClusterError(
            error,
          )}`,
        },
      ];
    }
  }

  /** The client of a configured cluster, for reads outside the reconcile loop. */
  clientOf(name: string): ClusterClient | undefined {
    return this.states.find(s => s.entry.name === name)?.client;
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
