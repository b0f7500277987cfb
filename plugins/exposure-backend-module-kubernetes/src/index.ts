/**
 * Writes approved exposures into Kubernetes clusters and reports what the
 * clusters show: a module of the Portico exposure backend.
 *
 * @packageDocumentation
 */
export { exposureModuleKubernetes as default } from './module';
export { renderDesiredObjects, grantName } from './render/renderDesiredObjects';
export { buildClusterReport } from './report/clusterReport';
