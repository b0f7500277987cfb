/**
 * Catalog module of Portico: exposure pools and VIPs as Resources.
 *
 * @packageDocumentation
 */
export {
  catalogModuleExposure as default,
  EXPOSURE_CHANGED_TOPIC,
} from './module';
export { ExposureEntityProvider } from './provider/ExposureEntityProvider';
export type { ExposureEntityProviderOptions } from './provider/ExposureEntityProvider';
export {
  PORTICO_ANNOTATIONS,
  POOL_RESOURCE_TYPE,
  VIP_RESOURCE_TYPE,
  poolEntityName,
  vipEntityName,
} from './provider/entities';
