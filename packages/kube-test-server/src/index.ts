/**
 * A Kubernetes API server for tests: real REST and watch protocol, in memory.
 *
 * @packageDocumentation
 */
export { startKubeTestServer } from './startKubeTestServer';
export type {
  KubeTestServer,
  KubeTestServerOptions,
  TokenOptions,
} from './startKubeTestServer';
export type { OutageMode, RequestRecord } from './http/KubeApiServer';
export type { AllowRule } from './auth/tokenPolicy';
export type { KubeObject, ObjectMeta } from './types';
export { loadManifests } from './loadManifests';
export { allowRulesOf, allowRulesFromFile } from './auth/clusterRoleRules';
export { kubeTarget, E2E_KUBECONFIG_ENV } from './kubeTarget';
export type { KubeTarget } from './kubeTarget';
export { backstageClusterFromKubeconfig } from './backstageCluster';
export type { BackstageClusterEntry } from './backstageCluster';
