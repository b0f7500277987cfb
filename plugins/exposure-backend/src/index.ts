/**
 * Portico exposure backend plugin.
 *
 * @packageDocumentation
 */
export { exposurePlugin as default } from './plugin';
export { ExposureService } from './service/ExposureService';
export type {
  ExposureChange,
  ExposureChangeListener,
} from './service/ExposureService';
export type { ExposureStore } from './database/ExposureStore';
export {
  readExposureConfig,
  ExposureConfigError,
} from './config/readExposureConfig';
export { exposureExtensionPoint } from './extensions';
export type { ExposureExtensionPoint } from './extensions';
