import { stringify } from 'yaml';

/** An admin kubeconfig for `server` with a bearer token, trusting `certificateAuthority` (PEM). */
export function renderKubeconfig(
  server: string,
  token: string,
  certificateAuthority: string,
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'lab',
        cluster: {
          server,
          'certificate-authority-data':
            Buffer.from(certificateAuthority).toString('base64'),
        },
      },
    ],
    users: [{ name: 'lab-admin', user: { token } }],
    contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'lab-admin' } }],
    'current-context': 'lab',
  });
}
