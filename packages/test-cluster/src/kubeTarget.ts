import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BackstageClusterEntry,
  backstageClusterFromKubeconfig,
} from './backstageCluster';
import {
  startTestCluster,
  TestCluster,
  TestClusterOptions,
} from './startTestCluster';

/** The environment variable that points Kubernetes-facing tests at an outside cluster. */
export const E2E_KUBECONFIG_ENV = 'PORTICO_E2E_KUBECONFIG';

export interface KubeTarget {
  /** Kubeconfig YAML for the cluster under test. */
  kubeconfig: string;
  kubeconfigPath: string;
  /** True when the tests run against the cluster named by PORTICO_E2E_KUBECONFIG. */
  outside: boolean;
  /**
   * The test cluster started for this test file, absent on an outside cluster:
   * tests that need to take the API server down or mint other users' tokens skip
   * themselves without it.
   */
  cluster?: TestCluster;
  /** The Backstage Kubernetes plugin's cluster entry for the cluster under test. */
  backstageCluster(name?: string): BackstageClusterEntry;
  /** Stops the test cluster; leaves an outside cluster alone. */
  stop(): Promise<void>;
}

/**
 * The cluster a Kubernetes-facing test talks to: the outside one whose kubeconfig
 * PORTICO_E2E_KUBECONFIG names (install deploy/crds there first), or else a fresh
 * real kube-apiserver and etcd started with `options`.
 */
export async function kubeTarget(
  options: TestClusterOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubeTarget> {
  const path = env[E2E_KUBECONFIG_ENV];
  if (path) {
    const kubeconfigPath = resolve(path);
    const kubeconfig = await readFile(kubeconfigPath, 'utf8');
    return {
      kubeconfig,
      kubeconfigPath,
      outside: true,
      backstageCluster: name =>
        backstageClusterFromKubeconfig(kubeconfig, name),
      stop: async () => {},
    };
  }
  return targetOf(await startTestCluster(options));
}

/** A started test cluster as the target of a Kubernetes-facing test. */
export function targetOf(cluster: TestCluster): KubeTarget {
  return {
    kubeconfig: cluster.kubeconfig,
    kubeconfigPath: cluster.kubeconfigPath,
    outside: false,
    cluster,
    backstageCluster: name => cluster.backstageCluster({ name }),
    stop: () => cluster.stop(),
  };
}
