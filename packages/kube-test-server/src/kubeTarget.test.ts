import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { kubeTarget } from './kubeTarget';
import { startKubeTestServer } from './startKubeTestServer';

describe('kubeTarget', () => {
  it('starts a test server when PORTICO_E2E_KUBECONFIG is not set', async () => {
    const target = await kubeTarget({ namespaces: ['team-a'] }, {});
    try {
      expect(target.real).toBe(false);
      expect(target.server?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const entry = target.backstageCluster('local');
      expect(entry).toEqual({
        name: 'local',
        url: target.server!.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: target.server!.adminToken,
        caData: Buffer.from(target.server!.certificateAuthority!).toString(
          'base64',
        ),
        skipTLSVerify: false,
        skipMetricsLookup: true,
      });
    } finally {
      await target.stop();
    }
  });

  it('targets the cluster PORTICO_E2E_KUBECONFIG names, and leaves it running', async () => {
    const cluster = await startKubeTestServer({ tls: false });
    try {
      const target = await kubeTarget(
        {},
        { PORTICO_E2E_KUBECONFIG: cluster.kubeconfigPath },
      );
      expect(target.real).toBe(true);
      expect(target.server).toBeUndefined();
      expect(target.kubeconfig).toBe(cluster.kubeconfig);
      expect(target.backstageCluster()).toMatchObject({
        url: cluster.url,
        serviceAccountToken: cluster.adminToken,
        skipTLSVerify: true,
      });
      await target.stop();
      const kc = new KubeConfig();
      kc.loadFromString(target.kubeconfig);
      const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map(n => n.metadata?.name)).toContain('default');
    } finally {
      await cluster.stop();
    }
  });
});
