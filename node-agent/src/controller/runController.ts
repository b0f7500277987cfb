import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { AgentConfig } from '../config';
import type { Clock } from '../kube/clock';
import { ClusterView } from '../kube/clusterView';
import { EventRecorder } from '../kube/events';
import type { Logger } from '../logging';
import { ControllerMetrics } from '../server/controllerMetrics';
import type { HealthChecks } from '../server/healthServer';
import { AddressController } from './addressController';
import { KubeLeaseClient } from './election/kubeLeaseClient';
import { LeaderElector } from './election/leaderElector';
import { KubeStatusWriter } from './statusWriter';
import { MetalLBStatusWriter } from '../kube/metallbStatusWriter';

export interface RoleContext {
  kubeConfig: KubeConfig;
  logger: Logger;
  registry: Registry;
  clock: Clock;
}

/**
 * The controller role: every replica keeps the view warm; the one holding the
 * Lease assigns addresses. Returns once `signal` aborts and the Lease is released.
 */
export async function runController(
  config: AgentConfig,
  ctx: RoleContext,
  signal: AbortSignal,
): Promise<{ health: HealthChecks; done: Promise<void> }> {
  const logger = ctx.logger.child({ role: 'controller' });
  const view = new ClusterView({
    kubeConfig: ctx.kubeConfig,
    logger,
    metallbNamespace: config.metallbNamespace,
    agentNamespace: config.namespace,
    kinds: [
      'services',
      'namespaces',
      'grants',
      'pools',
      'l2Advertisements',
      'bgpAdvertisements',
      'peers',
      'communities',
      'bfdProfiles',
      'secrets',
    ],
  });
  view.start(signal);
  const metrics = new ControllerMetrics(ctx.registry);
  const events = new EventRecorder(ctx.kubeConfig, {
    component: 'portico-controller',
    instance: config.identity,
    logger,
    clock: ctx.clock,
  });
  const writer = new KubeStatusWriter(ctx.kubeConfig);
  const metallbStatus = new MetalLBStatusWriter(
    ctx.kubeConfig,
    config.metallbNamespace,
  );
  const running = new Set<Promise<void>>();

  const elector = new LeaderElector({
    identity: config.identity,
    leaseDurationMs: config.leaseDurationMs,
    renewDeadlineMs: config.renewDeadlineMs,
    retryPeriodMs: config.retryPeriodMs,
    client: new KubeLeaseClient(
      ctx.kubeConfig,
      config.namespace,
      config.leaseName,
    ),
    clock: ctx.clock,
    logger,
    onStartedLeading: leading => {
      metrics.isLeader.set(1);
      const controller = new AddressController({
        view,
        writer,
        events,
        mode: config.mode,
        loadBalancerClass: config.loadBalancerClass,
        serveClassless: config.serveClassless,
        portalUrl: config.portalUrl,
        enforceGraceMs: config.enforceGraceMs,
        clock: ctx.clock,
        logger,
        metrics,
        metallbStatus,
      });
      const run = controller.run(leading).catch(error => {
        logger.error('controller loop failed', { error: String(error) });
      });
      running.add(run);
      run.finally(() => running.delete(run));
    },
    onStoppedLeading: async () => {
      metrics.isLeader.set(0);
      // Let the loop finish its pass, so nothing is written after the Lease is gone.
      await Promise.all(running);
      logger.info('stopped leading');
    },
  });

  const done = (async () => {
    await elector.run(signal);
    await Promise.all(running);
    await events.flush();
  })();

  return {
    done,
    health: {
      live: () => true,
      ready: () => {
        const reasons = view.isSynced()
          ? []
          : ['caches not synced with the API server yet'];
        return { ok: reasons.length === 0, reasons };
      },
    },
  };
}
