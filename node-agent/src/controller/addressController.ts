import { Backoff } from '../kube/backoff';
import type { Clock } from '../kube/clock';
import type { EventSink } from '../kube/events';
import type { ClusterSnapshot } from '../kube/snapshot';
import type { Logger } from '../logging';
import type { ControllerMetrics } from '../server/controllerMetrics';
import type { GovernanceMode } from './allocator/types';
import { grantConditionUpdates } from './grantStatus';
import { planReconcile } from './plan';
import type { StatusWriter } from './statusWriter';
import type { MetalLBStatusWriter } from '../kube/metallbStatusWriter';
import { COMPONENT_LABEL } from '../kube/metallbStatusWriter';
import { configurationStateStatus, poolStatuses } from './metallbStatus';

/** What the controller reads: the shared view. */
export interface SnapshotSource {
  snapshot(): ClusterSnapshot;
  onChange(listener: () => void): () => void;
  whenSynced(signal: AbortSignal): Promise<void>;
}

export interface AddressControllerOptions {
  view: SnapshotSource;
  writer: StatusWriter;
  events: EventSink;
  mode: GovernanceMode;
  loadBalancerClass: string;
  serveClassless?: boolean;
  portalUrl?: string;
  /** Zero-outage enforce grace period (PlanOptions.enforceGraceMs). */
  enforceGraceMs?: number;
  clock: Clock;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Full re-run even without changes, as a safety net. Default 60 s. */
  resyncMs?: number;
  /** Writes IPAddressPool status and the `controller` ConfigurationState, as MetalLB does. */
  metallbStatus?: MetalLBStatusWriter;
}

function statusOf(error: any): number | undefined {
  return error?.code ?? error?.statusCode;
}

/**
 * The controller role's loop: whenever the view changes (and at each grant's
 * expiry, and every resync period), plan every Service's addresses and apply the
 * plan. Level-triggered: a failed write is retried by the next pass, with backoff.
 */
export class AddressController {
  private readonly backoff = new Backoff(200, 10_000);
  private wake: (() => void) | undefined;
  private dirty = true;

  constructor(private readonly options: AddressControllerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { view, clock, logger } = this.options;
    const unsubscribe = view.onChange(() => {
      this.dirty = true;
      this.wake?.();
    });
    try {
      await view.whenSynced(signal);
      logger.info('controller caches synced; reconciling', {
        mode: this.options.mode,
      });
      while (!signal.aborted) {
        this.dirty = false;
        const result = await this.reconcileOnce();
        let delay = this.options.resyncMs ?? 60_000;
        if (!result.ok) {
          delay = this.backoff.next();
        } else {
          this.backoff.reset();
          if (result.nextExpiryMs !== undefined) {
            // Wake just after the earliest grant expiry to take its address away.
            delay = Math.min(
              delay,
              Math.max(0, result.nextExpiryMs - clock.now()) + 10,
            );
          }
        }
        await this.sleepUntilWoken(delay, signal);
      }
    } finally {
      unsubscribe();
    }
  }

  private async sleepUntilWoken(ms: number, signal: AbortSignal) {
    // An abort that came during the pass has already fired: do not wait for it.
    if (this.dirty || signal.aborted) return;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.wake = () => stop.abort();
    await this.options.clock.sleep(ms, stop.signal);
    this.wake = undefined;
    signal.removeEventListener('abort', onAbort);
  }

  /** One pass; never throws. */
  async reconcileOnce(): Promise<{ ok: boolean; nextExpiryMs?: number }> {
    const { view, writer, events, clock, logger, metrics } = this.options;
    const started = clock.now();
    const snapshot = view.snapshot();
    const now = new Date(clock.now());
    const plan = planReconcile(snapshot, {
      mode: this.options.mode,
      loadBalancerClass: this.options.loadBalancerClass,
      serveClassless: this.options.serveClassless,
      portalUrl: this.options.portalUrl,
      enforceGraceMs: this.options.enforceGraceMs,
      now,
    });
    let ok = true;
    for (const write of plan.writes) {
      try {
        await writer.serviceIngress(
          write.namespace,
          write.name,
          write.addresses,
        );
        logger.info(
          write.addresses.length > 0
            ? 'service address written'
            : 'service address cleared',
          {
            service: `${write.namespace}/${write.name}`,
            addresses: write.addresses,
          },
        );
      } catch (error) {
        if (statusOf(error) === 404) continue; // deleted meanwhile
        ok = false;
        metrics?.reconcileErrors.inc({ operation: 'service_status' });
        logger.warn('could not write Service status', {
          service: `${write.namespace}/${write.name}`,
          status: statusOf(error),
          error: String(error?.message ?? error),
        });
      }
    }
    for (const a of plan.annotationWrites) {
      try {
        await writer.serviceAnnotations(a.namespace, a.name, a.annotations);
      } catch (error) {
        if (statusOf(error) === 404) continue;
        ok = false;
        metrics?.reconcileErrors.inc({ operation: 'service_annotation' });
        logger.warn('could not write the Service annotations', {
          service: `${a.namespace}/${a.name}`,
          status: statusOf(error),
          error: String(error?.message ?? error),
        });
      }
    }
    for (const e of plan.events)
      events.record(e.ref, e.type, e.reason, e.message);
    for (const update of grantConditionUpdates(
      snapshot.grants,
      plan.decisions,
      now,
    )) {
      try {
        await writer.grantConditions(update.grant, [update.condition]);
      } catch (error) {
        if (statusOf(error) === 404) continue;
        ok = false;
        metrics?.reconcileErrors.inc({ operation: 'grant_status' });
        logger.warn('could not write ExposureGrant status', {
          grant: update.grant,
          status: statusOf(error),
          error: String(error?.message ?? error),
        });
      }
    }
    if (
      this.options.metallbStatus &&
      !(await this.writeMetalLBStatus(snapshot, now))
    )
      ok = false;
    metrics?.observe(plan.summary, snapshot.metallb);
    metrics?.reconcileDuration.observe((clock.now() - started) / 1000);
    return { ok, nextExpiryMs: plan.nextExpiryMs };
  }

  private async writeMetalLBStatus(
    snapshot: ClusterSnapshot,
    now: Date,
  ): Promise<boolean> {
    const { metallbStatus, logger, metrics } = this.options;
    try {
      for (const [pool, status] of poolStatuses(
        snapshot.metallb.pools,
        snapshot.services,
      )) {
        await metallbStatus!.poolStatus(pool, status);
      }
      await metallbStatus!.configurationState(
        'controller',
        { [COMPONENT_LABEL]: 'controller' },
        configurationStateStatus(snapshot.metallb.problems, now),
      );
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return true; // a pool deleted meanwhile
      metrics?.reconcileErrors.inc({ operation: 'metallb_status' });
      logger.warn('could not write MetalLB status', {
        status: statusOf(error),
        error: String((error as Error)?.message ?? error),
      });
      return false;
    }
  }
}
