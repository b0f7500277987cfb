/**
 * Portico's exposure frontend: the request page, the entity tab and card, and
 * the platform admin page. The new frontend system's plugin is the default
 * export of `@portico/plugin-exposure/alpha`.
 *
 * @packageDocumentation
 */
export {
  exposurePlugin,
  ExposureRequestPage,
  ExposureAdminPage,
  EntityExposureContent,
  EntityExposureCard,
} from './plugin';
export { isExposureAvailable } from './entityFilter';
export { requestRouteRef, adminRouteRef } from './routes';
export * from './api';
