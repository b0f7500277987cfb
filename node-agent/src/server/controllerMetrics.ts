import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { rangeSize } from '../kube/addresses';
import type { MetalLBConfig } from '../kube/metallbConfig';
import type { PlanSummary } from '../controller/plan';

/** The controller's Prometheus metrics (names follow Prometheus naming practice). */
export class ControllerMetrics {
  readonly servicesAssigned: Gauge;
  readonly servicesPending: Gauge<'reason'>;
  readonly servicesUngranted: Gauge;
  readonly servicesInGrace: Gauge;
  readonly poolAddressesInUse: Gauge<'pool'>;
  readonly poolAddressesTotal: Gauge<'pool'>;
  readonly configProblems: Gauge;
  readonly reconcileErrors: Counter<'operation'>;
  readonly reconcileDuration: Histogram;
  readonly isLeader: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.servicesAssigned = new Gauge({
      name: 'portico_services_assigned',
      help: 'LoadBalancer Services of our class that hold their addresses',
      registers,
    });
    this.servicesPending = new Gauge({
      name: 'portico_services_pending',
      help: 'LoadBalancer Services of our class without an address, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.servicesUngranted = new Gauge({
      name: 'portico_services_ungranted',
      help: 'Services assigned in audit mode that no ExposureGrant covers',
      registers,
    });
    this.servicesInGrace = new Gauge({
      name: 'portico_services_ungranted_in_grace',
      help: 'enforce: Services keeping an address in use without an ExposureGrant for the grace period',
      registers,
    });
    this.poolAddressesInUse = new Gauge({
      name: 'portico_pool_addresses_in_use',
      help: 'Addresses of each IPAddressPool held by at least one Service',
      labelNames: ['pool'],
      registers,
    });
    this.poolAddressesTotal = new Gauge({
      name: 'portico_pool_addresses_total',
      help: 'Size of each IPAddressPool (capped at 2^53 for IPv6)',
      labelNames: ['pool'],
      registers,
    });
    this.configProblems = new Gauge({
      name: 'portico_config_problems',
      help: 'MetalLB objects and ExposureGrants ignored because they are invalid',
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'portico_reconcile_errors_total',
      help: 'Failed reconcile operations against the API server',
      labelNames: ['operation'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'portico_reconcile_duration_seconds',
      help: 'Time to decide and write every Service status once',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.isLeader = new Gauge({
      name: 'portico_controller_leader',
      help: '1 while this controller replica holds the leader Lease',
      registers,
    });
  }

  observe(summary: PlanSummary, config: MetalLBConfig): void {
    this.servicesAssigned.set(summary.assigned);
    this.servicesPending.reset();
    for (const [reason, count] of summary.pending) {
      this.servicesPending.set({ reason }, count);
    }
    this.servicesUngranted.set(summary.ungranted);
    this.servicesInGrace.set(summary.inGrace);
    this.poolAddressesInUse.reset();
    this.poolAddressesTotal.reset();
    for (const pool of config.pools.values()) {
      const size = pool.ranges.reduce((n, r) => n + rangeSize(r), 0n);
      this.poolAddressesTotal.set(
        { pool: pool.name },
        Number(size > 2n ** 53n ? 2n ** 53n : size),
      );
      this.poolAddressesInUse.set(
        { pool: pool.name },
        summary.inUseByPool.get(pool.name) ?? 0,
      );
    }
    this.configProblems.set(config.problems.length);
  }
}
