import { stringify } from 'yaml';

/** A kubeconfig with one cluster, one user (a bearer token) and one current context. */
export function renderKubeconfig(options: {
  server: string;
  token: string;
  clusterName?: string;
  user?: string;
  namespace?: string;
  /** PEM CA certificate of an HTTPS server. */
  certificateAuthority?: string;
}): string {
  const cluster = options.clusterName ?? 'portico-test';
  const user = options.user ?? 'admin';
  const context = `${user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: options.server,
          ...(options.certificateAuthority
            ? {
                'certificate-authority-data': Buffer.from(
                  options.certificateAuthority,
                ).toString('base64'),
              }
            : { 'insecure-skip-tls-verify': true }),
        },
      },
    ],
    users: [{ name: user, user: { token: options.token } }],
    contexts: [
      {
        name: context,
        context: {
          cluster,
          user,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': context,
  });
}
