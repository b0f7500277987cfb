import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { ExposureApiReader } from './provider/exposureApiReader';
import { ExposureEntityProvider } from './provider/ExposureEntityProvider';

/**
 * Topic on the events service that announces a committed exposure change
 * (request created, approved, released, expired); any payload.
 */
export const EXPOSURE_CHANGED_TOPIC = 'portico.exposure.changed';

/**
 * Adds the exposure entity provider to the catalog: pools and VIPs as
 * Resources, read from the exposure API every few seconds and whenever a
 * change is announced on the events service.
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
        events: eventsServiceRef,
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
        // A failing pass repeats every few seconds: log a failure when it
        // starts or changes, and the recovery, not every attempt.
        let lastFailure: string | undefined;
        const refreshQuietly = async (signal: AbortSignal) => {
          try {
            await provider.refresh(signal);
            if (lastFailure !== undefined) {
              deps.logger.info('exposure entities refreshed again');
              lastFailure = undefined;
            }
          } catch (error) {
            // The exposure backend may start after the catalog, and the
            // catalog connects the provider only once it runs: the next
            // pass tries again.
            const failure = String(error);
            if (failure !== lastFailure) {
              deps.logger.warn(`exposure entities not refreshed: ${failure}`);
              lastFailure = failure;
            }
          }
        };
        // Scheduled on connection, so the first pass has a catalog to talk to.
        provider.onConnect(() =>
          deps.scheduler.scheduleTask({
            id: 'portico-exposure-entity-provider',
            frequency: { seconds: refreshSeconds },
            timeout: { seconds: Math.max(30, refreshSeconds * 5) },
            signal: abort.signal,
            fn: refreshQuietly,
          }),
        );

        // A change announced on the events service refreshes at once; the
        // timer above stays the guarantee when no one announces.
        await deps.events.subscribe({
          id: 'portico-exposure-entity-provider',
          topics: [EXPOSURE_CHANGED_TOPIC],
          onEvent: () => refreshQuietly(abort.signal),
        });
      },
    });
  },
});
