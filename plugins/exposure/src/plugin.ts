import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { exposureApiRef, ExposureClient } from './api';
import { adminRouteRef, requestRouteRef } from './routes';

/** The exposure plugin for the legacy frontend system. */
export const exposurePlugin = createPlugin({
  id: 'exposure',
  apis: [
    createApiFactory({
      api: exposureApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ExposureClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { request: requestRouteRef, admin: adminRouteRef },
});

/** Mount at `/exposure/request`. */
export const ExposureRequestPage = exposurePlugin.provide(
  createRoutableExtension({
    name: 'ExposureRequestPage',
    component: () =>
      import('./components/RequestPage').then(m => m.RequestPage),
    mountPoint: requestRouteRef,
  }),
);

/** Mount at `/exposure/admin`. */
export const ExposureAdminPage = exposurePlugin.provide(
  createRoutableExtension({
    name: 'ExposureAdminPage',
    component: () => import('./components/AdminPage').then(m => m.AdminPage),
    mountPoint: adminRouteRef,
  }),
);

/** An entity page tab; show it where `isExposureAvailable` holds. */
export const EntityExposureContent = exposurePlugin.provide(
  createComponentExtension({
    name: 'EntityExposureContent',
    component: {
      lazy: () =>
        import('./components/EntityExposure').then(
          m => m.EntityExposureContent,
        ),
    },
  }),
);

/** An overview card for the entity page. */
export const EntityExposureCard = exposurePlugin.provide(
  createComponentExtension({
    name: 'EntityExposureCard',
    component: {
      lazy: () =>
        import('./components/EntityExposure').then(m => m.EntityExposureCard),
    },
  }),
);
