import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { ExposureApiReader } from './provider/exposureApiReader';
import { ExposureEntityProvider } from './provider/ExposureEntityProvider';

/**
 * Adds the exposure entity provider to the catalog: pools and VIPs as
 * Resources, read from the exposure API every few seconds.
 */
export const catalogModuleExposure = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'exposure',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        lifecycle: coreServices.lifecycle,
      },
      async init(deps) {
        const settings = deps.config.getOptionalConfig(
          'portico.catalogProvider',
        );
        const refreshSeconds =
          settings?.getOptionalNumber('refreshSeconds') ?? 3;
        const fullSyncMinutes =
          settings?.getOptionalNumber('fullSyncMinutes') ?? 10;
        const reader = new ExposureApiReader(deps.discovery, deps.auth);
        const provider = new ExposureEntityProvider({
          read: signal => reader.read(signal),
          logger: deps.logger,
          platformTeam:
            deps.config.getOptionalString('portico.platformAdminGroup') ??
            'group:default/platform-team',
          fullSyncIntervalMs: fullSyncMinutes * 60_000,
        });
        deps.catalog.addEntityProvider(provider);

        const abort = new AbortController();
        deps.lifecycle.addShutdownHook(() => abort.abort());
        await deps.scheduler.scheduleTask({
          id: 'portico-exposure-entity-provider',
          frequency: { seconds: refreshSeconds },
          timeout: { seconds: Math.max(30, refreshSeconds * 5) },
          signal: abort.signal,
          fn: async signal => {
            try {
              await provider.refresh(signal);
            } catch (error) {
              // The exposure backend may start after the catalog; the next
              // pass tries again.
              deps.logger.warn(`exposure entities not refreshed: ${error}`);
            }
          },
        });
      },
    });
  },
});
