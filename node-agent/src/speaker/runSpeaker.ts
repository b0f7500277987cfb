import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import type { V1Node } from '@kubernetes/client-node';
import { BgpSpeaker } from '../bgp';
import type { Route } from '../bgp/announcer/types';
import { L2Announcer, L2Conflict } from '../l2';
import type { AgentConfig } from '../config';
import type { RoleContext } from '../controller/runController';
import { ClusterView } from '../kube/clusterView';
import { EventRecorder } from '../kube/events';
import type { HealthChecks } from '../server/healthServer';
import { speakerState } from './desiredState';
import { GrantAnnouncerReporter } from './grantAnnouncerReporter';
import { MetalLBServiceStatusReporter } from './metallbStatusReporter';

function internalIPs(node: V1Node | undefined): string[] {
  return (node?.status?.addresses ?? [])
    .filter(a => a.type === 'InternalIP')
    .map(a => a.address);
}

/**
 * The speaker role: reads the view and hands this node's desired L2 and BGP
 * announcements to the L2 and BGP modules, which do the protocol work. Stops
 * announcing at once on shutdown (routes withdrawn, L2 ownership released).
 */
export async function runSpeaker(
  config: AgentConfig,
  ctx: RoleContext,
  signal: AbortSignal,
): Promise<{ health: HealthChecks; done: Promise<void> }> {
  const nodeName = config.nodeName!;
  const logger = ctx.logger.child({ role: 'speaker', node: nodeName });
  const view = new ClusterView({
    kubeConfig: ctx.kubeConfig,
    logger,
    metallbNamespace: config.metallbNamespace,
    agentNamespace: config.namespace,
    kinds: [
      'services',
      'endpointSlices',
      'nodes',
      'pools',
      'l2Advertisements',
      'bgpAdvertisements',
      'peers',
      'communities',
      'bfdProfiles',
      'secrets',
      'grants',
    ],
  });
  view.start(signal);
  const events = new EventRecorder(ctx.kubeConfig, {
    component: 'portico-speaker',
    instance: nodeName,
    logger,
    clock: ctx.clock,
  });
  let started = false;

  const done = (async () => {
    await view.whenSynced(signal);
    if (signal.aborted) return;
    const first = view.snapshot();
    const self = first.nodes.find(n => n.metadata?.name === nodeName);
    if (!self)
      logger.warn('this Node is not in the API server; is --node-name right?');

    let l2: L2Announcer | undefined;
    if (config.l2Interfaces.length > 0) {
      const peers = first.nodes
        .filter(n => n.metadata?.name !== nodeName)
        .flatMap(n => internalIPs(n).slice(0, 1));
      l2 = await L2Announcer.start({
        registry: ctx.registry,
        logger,
        settings: {
          nodeName,
          interfaces: config.l2Interfaces,
          heartbeat: {
            port: config.heartbeatPort,
            key: readFileSync(config.heartbeatKeyFile!),
            peers,
          },
          localAddressInterface: config.l2LocalInterface,
          preemptAfterMs: config.l2PreemptAfterMs,
        },
      });
      l2.on('conflict', (conflict: L2Conflict) => {
        const owner = view
          .snapshot()
          .services.find(s =>
            (s.status?.loadBalancer?.ingress ?? []).some(
              i => i.ip === conflict.address,
            ),
          );
        const ref = owner
          ? {
              apiVersion: 'v1',
              kind: 'Service',
              namespace: owner.metadata?.namespace,
              name: owner.metadata?.name ?? '',
              uid: owner.metadata?.uid,
            }
          : {
              apiVersion: 'v1',
              kind: 'Node',
              name: nodeName,
              uid: self?.metadata?.uid,
            };
        events.record(
          ref,
          'Warning',
          'AddressConflict',
          `${conflict.address} is claimed by ${conflict.mac} on ${conflict.interface} (${conflict.how}); node ${nodeName} does not announce it`,
        );
      });
    }

    const routerId =
      config.bgpRouterId ??
      internalIPs(self).find(ip => isIPv4(ip)) ??
      undefined;
    const bgp = new BgpSpeaker({
      routerId,
      registry: ctx.registry,
      log: (level, message, fields) => logger[level](message, fields),
      listen: config.bgpListenPort ? { port: config.bgpListenPort } : undefined,
    });
    await bgp.listen();

    const reporter = new GrantAnnouncerReporter(
      ctx.kubeConfig,
      nodeName,
      logger,
    );
    let lastRoutes = new Map<string, Route[]>();
    const metallbStatus = new MetalLBServiceStatusReporter(
      ctx.kubeConfig,
      config.metallbNamespace,
      nodeName,
      logger,
    );
    const report = () => {
      void metallbStatus.report(view.snapshot(), l2?.status(), lastRoutes);
      return reporter.report(
        view.snapshot().grants,
        l2?.status(),
        lastRoutes,
        bgp.status(),
      );
    };
    const reportTimer = setInterval(report, 2000);
    signal.addEventListener('abort', () => clearInterval(reportTimer), {
      once: true,
    });

    let lastWarnings = '';
    let applying = Promise.resolve();
    const apply = () => {
      applying = applying
        .then(async () => {
          if (signal.aborted) return;
          const state = speakerState(view.snapshot(), {
            nodeName,
            loadBalancerClass: config.loadBalancerClass,
            serveClassless: config.serveClassless,
          });
          l2?.setDesired(state.l2);
          l2?.setKubernetesReadyNodes(state.readyNodes);
          await bgp.setPeers(state.bgpPeers);
          for (const peer of state.bgpPeers) {
            bgp.setRoutes(peer.name, state.bgpRoutes.get(peer.name) ?? []);
          }
          lastRoutes = state.bgpRoutes;
          report();
          const warnings = state.warnings.join('\n');
          if (warnings !== lastWarnings) {
            lastWarnings = warnings;
            for (const w of state.warnings) logger.warn(w);
          }
        })
        .catch(error => {
          logger.error('could not apply announcements', {
            error: String(error),
          });
        });
    };
    const unsubscribe = view.onChange(apply);
    apply();
    started = true;
    await new Promise<void>(resolve => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    unsubscribe();
    await applying;
    await Promise.all([l2?.stop(), bgp.stop('speaker shutting down')]);
    await reporter.clear(view.snapshot().grants);
    await metallbStatus.clear();
    await events.flush();
    logger.info('announcements withdrawn');
  })();

  return {
    done,
    health: {
      live: () => true,
      ready: () => {
        const reasons: string[] = [];
        if (!view.isSynced())
          reasons.push('caches not synced with the API server yet');
        if (!started) reasons.push('announcers not started yet');
        return { ok: reasons.length === 0, reasons };
      },
    },
  };
}
