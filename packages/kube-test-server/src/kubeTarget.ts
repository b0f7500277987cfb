import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BackstageClusterEntry,
  backstageClusterFromKubeconfig,
} from './backstageCluster';
import {
  KubeTestServer,
  KubeTestServerOptions,
  startKubeTestServer,
} from './startKubeTestServer';

/** The environment variable that points Kubernetes-facing tests at a real cluster. */
export const E2E_KUBECONFIG_ENV = 'PORTICO_E2E_KUBECONFIG';

export interface KubeTarget {
  /** Kubeconfig YAML for the cluster under test. */
  kubeconfig: string;
  kubeconfigPath: string;
  /** True when the tests run against the cluster named by PORTICO_E2E_KUBECONFIG. */
  real: boolean;
  /**
   * The in-process test server, absent on a real cluster: tests that need its extras
   * (other tokens, simulateOutage, compactHistory) skip themselves without it.
   */
  server?: KubeTestServer;
  /** The Backstage Kubernetes plugin's cluster entry for the cluster under test. */
  backstageCluster(name?: string): BackstageClusterEntry;
  /** Stops the test server; leaves a real cluster alone. */
  stop(): Promise<void>;
}

/**
 * The cluster a Kubernetes-facing test talks to: the real one whose kubeconfig
 * PORTICO_E2E_KUBECONFIG names (its CRDs must already be installed from
 * deploy/crds), or else a fresh test server started with `options`.
 */
export async function kubeTarget(
  options: KubeTestServerOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubeTarget> {
  const path = env[E2E_KUBECONFIG_ENV];
  if (path) {
    const kubeconfigPath = resolve(path);
    const kubeconfig = await readFile(kubeconfigPath, 'utf8');
    return {
      kubeconfig,
      kubeconfigPath,
      real: true,
      backstageCluster: name =>
        backstageClusterFromKubeconfig(kubeconfig, name),
      stop: async () => {},
    };
  }
  const server = await startKubeTestServer(options);
  return {
    kubeconfig: server.kubeconfig,
    kubeconfigPath: server.kubeconfigPath,
    real: false,
    server,
    backstageCluster: name => server.backstageCluster({ name }),
    stop: () => server.stop(),
  };
}
