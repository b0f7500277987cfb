import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  ExposureAllocationSource,
  exposureExtensionPoint,
  readExposureConfig,
} from '@portico/plugin-exposure-node';
import { readReconcilerSettings } from './config/readReconcilerSettings';
import { ClusterReconciler } from './service/ClusterReconciler';
import { createClusterRouter } from './service/router';
import { AdoptionService } from './adoption/AdoptionService';
import { catalogComponents } from './adoption/catalogComponents';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';

const TASK_ID = 'exposure-cluster-reconcile';

/**
 * The exposure plugin's cluster side: renders approved state into every cluster
 * the segments name, on a short cadence and right after each change.
 */
export const exposureModuleKubernetes = createBackendModule({
  pluginId: 'exposure',
  moduleId: 'kubernetes',
  register(reg) {
    reg.registerInit({
      deps: {
        exposure: exposureExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({
        exposure,
        config,
        logger,
        scheduler,
        httpRouter,
        httpAuth,
        auditor,
        permissions,
        auth,
        catalog,
      }) {
        const settings = readReconcilerSettings(config);
        const reconciler = new ClusterReconciler({
          settings,
          exposure: readExposureConfig(config),
          logger,
          auditor,
        });
        const exposureConfig = readExposureConfig(config);
        let source: ExposureAllocationSource | undefined;
        const adoption = new AdoptionService({
          settings,
          exposure: exposureConfig,
          clientOf: name => reconciler.clientOf(name),
          components: catalogComponents(catalog, () =>
            auth.getOwnServiceCredentials(),
          ),
        });
        httpRouter.use(
          createClusterRouter({
            reconciler,
            httpAuth,
            permissions,
            adoption,
            source: () => source,
          }),
        );
        exposure.onReady(service => {
          source = service;
        });
        if (!settings.clusters.length) {
          logger.info(
            'no clusters in kubernetes.clusterLocatorMethods: nothing is written to Kubernetes',
          );
          return;
        }
        exposure.onReady((service, signal) => {
          // Every replica reconciles (the writes are idempotent), so each one
          // serves a fresh view of the clusters.
          scheduler
            .scheduleTask({
              id: TASK_ID,
              scope: 'local',
              frequency: { seconds: settings.intervalSeconds },
              timeout: { minutes: 2 },
              signal,
              fn: () => reconciler.request(service),
            })
            .catch(error =>
              logger.error('cannot schedule the cluster reconciler', error),
            );
        });
        exposure.addChangeListener(() => {
          // The change reaches the clusters now rather than at the next tick.
          if (source) reconciler.request(source).catch(() => {});
        });
        logger.info('cluster reconciler ready', {
          clusters: settings.clusters.map(c => c.name).join(','),
        });
      },
    });
  },
});
