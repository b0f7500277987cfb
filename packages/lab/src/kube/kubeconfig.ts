import { stringify } from 'yaml';

/** An admin kubeconfig for `server` with a bearer token. */
export function renderKubeconfig(server: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server } }],
    users: [{ name: 'lab-admin', user: { token } }],
    contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'lab-admin' } }],
    'current-context': 'lab',
  });
}
