import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  FrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { Content } from '@backstage/core-components';
import PublicIcon from '@material-ui/icons/Public';
import SecurityIcon from '@material-ui/icons/Security';
import { exposureApiRef, ExposureClient } from './api';
import { isExposureAvailable } from './entityFilter';
import { adminRouteRef, requestRouteRef } from './routes';

const exposureApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: exposureApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ExposureClient({ discoveryApi, fetchApi }),
    }),
});

/** `/exposure/request`, with a nav item (short titles fit the sidebar). */
const requestPage = PageBlueprint.make({
  name: 'request',
  params: {
    path: '/exposure/request',
    title: 'Request IP',
    icon: <PublicIcon fontSize="inherit" />,
    routeRef: requestRouteRef,
    loader: () =>
      import('./components/RequestPage').then(m => (
        <Content>
          <m.RequestPageContent />
        </Content>
      )),
  },
});

/** `/exposure/admin`, with a nav item; the page itself refuses users without the manage permission. */
const adminPage = PageBlueprint.make({
  name: 'admin',
  params: {
    path: '/exposure/admin',
    title: 'IP admin',
    icon: <SecurityIcon fontSize="inherit" />,
    routeRef: adminRouteRef,
    loader: () =>
      import('./components/AdminPage').then(m => (
        <Content>
          <m.AdminPageContent />
        </Content>
      )),
  },
});

const entityContent = EntityContentBlueprint.make({
  name: 'exposures',
  params: {
    path: 'exposure',
    title: 'Exposure',
    filter: isExposureAvailable,
    loader: () =>
      import('./components/EntityExposure').then(m => (
        <m.EntityExposureContent />
      )),
  },
});

const entityCard = EntityCardBlueprint.make({
  name: 'exposures',
  params: {
    filter: isExposureAvailable,
    loader: () =>
      import('./components/EntityExposure').then(m => <m.EntityExposureCard />),
  },
});

/**
 * The exposure plugin for the new frontend system. Typed as `FrontendPlugin`:
 * the inferred type names a nested copy of filter-predicates.
 */
const exposurePlugin: FrontendPlugin = createFrontendPlugin({
  pluginId: 'exposure',
  title: 'Exposure',
  routes: { request: requestRouteRef, admin: adminRouteRef },
  extensions: [exposureApi, requestPage, adminPage, entityContent, entityCard],
});

export default exposurePlugin;
