/**
 * A real kube-apiserver and etcd (and kubectl) built from Go modules, started on
 * loopback for tests.
 *
 * @packageDocumentation
 */
export { startTestCluster } from './startTestCluster';
export type {
  AuditEvent,
  TestCluster,
  TestClusterOptions,
} from './startTestCluster';
export { ensureTestClusterBinaries, BIN_DIR_ENV } from './binaries';
export type { TestClusterBinaries } from './binaries';
export type { KubectlResult } from './kubectl';
export { SERVICE_CIDR } from './apiServer';
export type { FaultProxy } from './faultProxy';
export { renderDeploy, DEPLOY_DIR } from './renderDeploy';
export type { DeploySettings } from './renderDeploy';
export { kubeTarget, targetOf, E2E_KUBECONFIG_ENV } from './kubeTarget';
export type { KubeTarget } from './kubeTarget';
export { loadManifests } from './loadManifests';
export type { KubeObject } from './types';
export { backstageClusterFromKubeconfig } from './backstageCluster';
export type { BackstageClusterEntry } from './backstageCluster';
