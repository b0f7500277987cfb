import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  EXPOSURE_CHANGED_TOPIC,
  type ExposureChangedEvent,
} from '@portico/plugin-exposure-common';
import { ExposureApiReader } from './provider/exposureApiReader';
import { ExposureEntityProvider } from './provider/ExposureEntityProvider';

export { EXPOSURE_CHANGED_TOPIC };

/** A payload from the exposure backend names the pool and address it moved. */
function isExposureChange(payload: unknown): payload is ExposureChangedEvent {
  const p = payload as Partial<ExposureChangedEvent> | undefined;
  return typeof p?.pool === 'string' && typeof p?.requestId === 'string';
}

/**
 * Adds the exposure entity provider to the catalog: pools and VIPs as
 * Resources. Each change announced on the events service is applied as a
 * delta (the touched addresses re-read, debounced); a whole read every
 * `refreshSeconds` (30) heals anything missed.
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
          settings?.getOptionalNumber('refreshSeconds') ?? 30;
        const fullSyncMinutes =
          settings?.getOptionalNumber('fullSyncMinutes') ?? 10;
        const reader = new ExposureApiReader(deps.discovery, deps.auth);
        const provider = new ExposureEntityProvider({
          read: signal => reader.read(signal),
          readAddresses: (addresses, signal) =>
            reader.readAddresses(addresses, signal),
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

        // A change announced on the events service is applied at once; the
        // timer above stays the guarantee when an announcement is lost.
        await deps.events.subscribe({
          id: 'portico-exposure-entity-provider',
          topics: [EXPOSURE_CHANGED_TOPIC],
          onEvent: async ({ eventPayload }) => {
            if (!isExposureChange(eventPayload)) {
              await refreshQuietly(abort.signal);
              return;
            }
            try {
              await provider.changed(eventPayload, abort.signal);
            } catch (error) {
              deps.logger.warn(
                `exposure change not applied to the catalog: ${error}`,
              );
            }
          },
        });
      },
    });
  },
});
