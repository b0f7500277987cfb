/**
 * Portico exposure backend plugin.
 *
 * @packageDocumentation
 */
export { exposurePlugin as default } from './plugin';
export { ExposureService } from './service/ExposureService';
export type { ExposureStore } from './database/ExposureStore';
