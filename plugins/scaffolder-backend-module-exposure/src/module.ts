import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createExposureRequestAction } from './actions/exposureRequest';
import { createReadManifestAction } from './actions/readManifest';

/** Adds the `exposure:request` and `exposure:read-manifest` actions. */
export const scaffolderModuleExposure = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'exposure',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, discovery, auth, catalog, config }) {
        scaffolder.addActions(
          createExposureRequestAction({
            discovery,
            auth,
            catalog,
            appBaseUrl: config.getOptionalString('app.baseUrl'),
          }),
          createReadManifestAction(),
        );
      },
    });
  },
});
