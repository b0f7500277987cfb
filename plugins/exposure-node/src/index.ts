/**
 * Node library of the exposure plugin: what its backend modules build on —
 * the extension point and the validated reading of the `exposure` config.
 *
 * @packageDocumentation
 */
export { exposureExtensionPoint } from './extensions';
export type {
  AdoptionItem,
  AdoptionOutcome,
  ExposureAllocationSource,
  ExposureChange,
  ExposureChangeListener,
  ExposureExtensionPoint,
} from './extensions';
export { ExposureConfigError, readExposureConfig } from './readExposureConfig';
