/**
 * The `exposure:request` scaffolder action of Portico.
 *
 * @packageDocumentation
 */
export { scaffolderModuleExposure as default } from './module';
export {
  createExposureRequestAction,
  EXPOSURE_REQUEST_ACTION_ID,
  requestPageLink,
} from './actions/exposureRequest';
export type { ExposureRequestActionOptions } from './actions/exposureRequest';
export {
  createReadManifestAction,
  READ_MANIFEST_ACTION_ID,
} from './actions/readManifest';
