import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { exposurePermissions } from '@portico/plugin-exposure-common';
import {
  ExposureChangeListener,
  exposureExtensionPoint,
  readExposureConfig,
} from '@portico/plugin-exposure-node';
import { DatabaseExposureStore } from './database/DatabaseExposureStore';
import { ExposureService } from './service/ExposureService';
import { IDEMPOTENCY_KEY_TTL_MS } from './service/idempotency';
import { announceChanges } from './service/announceChanges';
import { createRouter } from './service/router';

/**
 * The exposure backend plugin: segments and pools from config, requests,
 * approvals, allocation and the audit chain under `/api/exposure`.
 */
export const exposurePlugin = createBackendPlugin({
  pluginId: 'exposure',
  register(env) {
    const listeners: ExposureChangeListener[] = [];
    const readyCallbacks: ((
      service: ExposureService,
      signal: AbortSignal,
    ) => void)[] = [];
    env.registerExtensionPoint(exposureExtensionPoint, {
      addChangeListener(listener) {
        listeners.push(listener);
      },
      onReady(callback) {
        readyCallbacks.push(callback);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        // Throws with the path of every bad key: a broken contract never serves.
        const exposureConfig = readExposureConfig(deps.config);
        const store = await DatabaseExposureStore.create({
          database: deps.database,
        });
        const service = new ExposureService({
          store,
          config: exposureConfig,
          logger: deps.logger,
          auditor: deps.auditor,
        });
        deps.permissionsRegistry.addPermissions(exposurePermissions);
        listeners.forEach(listener => service.onChange(listener));
        service.onChange(announceChanges(deps.events, deps.logger));

        const abort = new AbortController();
        deps.lifecycle.addShutdownHook(() => abort.abort());
        readyCallbacks.forEach(callback => callback(service, abort.signal));
        // The scheduler runs a task on one replica at a time.
        await deps.scheduler.scheduleTask({
          id: 'exposure-expiry',
          frequency: { seconds: exposureConfig.expiry.intervalSeconds },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 5 },
          signal: abort.signal,
          fn: async () => {
            const expired = await service.expireDue();
            await store.pruneIdempotencyKeys(
              Date.now() - IDEMPOTENCY_KEY_TTL_MS,
            );
            if (expired > 0) {
              deps.logger.info('expired exposures', { count: expired });
            }
          },
        });

        deps.httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions: deps.permissions,
            catalog: deps.catalog,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        deps.logger.info('exposure plugin ready', {
          segments: exposureConfig.segments.length,
          pools: exposureConfig.pools.length,
        });
      },
    });
  },
});
