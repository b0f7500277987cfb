import { parse } from 'yaml';
import { isJsonObject } from './types';

/**
 * A cluster entry as the Backstage Kubernetes plugin configures it
 * (`kubernetes.clusterLocatorMethods[].clusters[]` with `type: config`), so a test can
 * hand the cluster under test to code that reads that configuration.
 */
export interface BackstageClusterEntry {
  name: string;
  url: string;
  authProvider: 'serviceAccount';
  serviceAccountToken?: string;
  /** Base64 PEM CA, as in a kubeconfig's certificate-authority-data. */
  caData?: string;
  skipTLSVerify: boolean;
  skipMetricsLookup: boolean;
}

type Named<T> = Array<{ name: string } & T>;

/**
 * The entry for a kubeconfig's current context. The token is taken from the
 * context's user when it has one (tokens are what the plugin's serviceAccount
 * provider uses); other kinds of credentials are left out.
 */
export function backstageClusterFromKubeconfig(
  kubeconfig: string,
  name = 'portico-test',
): BackstageClusterEntry {
  const config = parse(kubeconfig) as Record<string, unknown>;
  const contexts = (config.contexts ?? []) as Named<{
    context: { cluster: string; user: string };
  }>;
  const context =
    contexts.find(c => c.name === config['current-context']) ?? contexts[0];
  if (!context) throw new Error('the kubeconfig has no context');
  const cluster = (
    (config.clusters ?? []) as Named<{ cluster: Record<string, unknown> }>
  ).find(c => c.name === context.context.cluster)?.cluster;
  if (!cluster)
    throw new Error(`the kubeconfig has no cluster ${context.context.cluster}`);
  const user = (
    (config.users ?? []) as Named<{ user: Record<string, unknown> }>
  ).find(u => u.name === context.context.user)?.user;
  const token =
    isJsonObject(user) && typeof user.token === 'string'
      ? user.token
      : undefined;
  const caData = cluster['certificate-authority-data'];
  return {
    name,
    url: String(cluster.server),
    authProvider: 'serviceAccount',
    ...(token ? { serviceAccountToken: token } : {}),
    ...(typeof caData === 'string' ? { caData } : {}),
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    skipMetricsLookup: true,
  };
}
