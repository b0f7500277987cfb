import { join } from 'node:path';
import {
  KubeObject,
  loadManifests,
  renderDeploy,
  TestCluster,
} from '@portico/test-cluster';
import { REPO_ROOT } from '../paths';

/** The components of the lab that talk to the API server, each as its own ServiceAccount. */
export type LabAccount = 'controller' | 'speaker' | 'portal';

export const LAB_ACCOUNTS: Record<
  LabAccount,
  { namespace: string; name: string }
> = {
  controller: { namespace: 'portico-system', name: 'portico-controller' },
  speaker: { namespace: 'portico-system', name: 'portico-speaker' },
  portal: { namespace: 'kube-system', name: 'portico-portal' },
};

const PORTAL_RBAC = join(REPO_ROOT, 'deploy', 'rbac', 'portal.yaml');

/**
 * Tokens live as long as a lab session may: the agents and the portal read them
 * once from their kubeconfig or app-config and never renew them.
 */
const TOKEN_SECONDS = 24 * 3600;

/**
 * What a platform team installs before running Portico, without the workloads:
 * deploy/ rendered with its default settings (namespaces, the agent's
 * ServiceAccounts and roles, the admission policies and their settings
 * ConfigMap) and the portal's RBAC. The Deployment and DaemonSet are left out:
 * the lab runs the agents itself, in its namespaces.
 */
export async function porticoInstallObjects(): Promise<KubeObject[]> {
  const rendered = await renderDeploy();
  return [
    ...rendered.filter(
      o =>
        !['CustomResourceDefinition', 'Deployment', 'DaemonSet'].includes(
          o.kind,
        ),
    ),
    ...(await loadManifests(PORTAL_RBAC)),
  ];
}

/** A token per component, from the TokenRequest API. */
export async function mintTokens(
  cluster: TestCluster,
): Promise<Record<LabAccount, string>> {
  const tokens = {} as Record<LabAccount, string>;
  for (const [account, sa] of Object.entries(LAB_ACCOUNTS) as Array<
    [LabAccount, { namespace: string; name: string }]
  >) {
    tokens[account] = await cluster.serviceAccountToken(
      sa.namespace,
      sa.name,
      TOKEN_SECONDS,
    );
  }
  return tokens;
}
