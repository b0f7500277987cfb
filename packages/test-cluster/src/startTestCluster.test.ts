import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from './startTestCluster';

jest.setTimeout(180_000);

// What every Kubernetes-facing test relies on: a real API server that refuses what
// a production one refuses.
describe('the test cluster', () => {
  let cluster: TestCluster;
  const client = (token: string) => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfigFor(token));
    return kc.makeApiClient(CoreV1Api);
  };

  beforeAll(async () => {
    cluster = await startTestCluster({
      users: { nobody: [] },
      namespaces: ['apps'],
      controllerManager: true,
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('is the pinned kube-apiserver release, and kubectl of the same release', async () => {
    expect(cluster.version).toBe(cluster.binaries.kubernetesVersion);
    const version = await cluster.kubectl(['version', '-o', 'json']);
    const parsed = JSON.parse(version.stdout);
    expect(parsed.clientVersion.gitVersion).toBe(cluster.version);
    expect(parsed.serverVersion.gitVersion).toBe(cluster.version);
  });

  it('authorizes by RBAC: a user without bindings may not list Services', async () => {
    await expect(
      client(cluster.userToken('nobody')).listNamespacedService({
        namespace: 'apps',
      }),
    ).rejects.toMatchObject({ code: 403 });
    const canI = await cluster.kubectl([
      'auth',
      'can-i',
      'list',
      'services',
      '--as=nobody',
      '-n',
      'apps',
    ]);
    expect(canI.stdout.trim()).toBe('no');
  });

  it('runs the default admission plugins and validates built-in kinds', async () => {
    const admin = client(cluster.adminToken);
    // NamespaceLifecycle: nothing is created in a namespace that does not exist.
    await expect(
      admin.createNamespacedConfigMap({
        namespace: 'missing',
        body: { metadata: { name: 'x' } },
      }),
    ).rejects.toMatchObject({ code: 404 });
    const unknownField = await cluster.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\nspec:\n  ports: [{port: 80}]\n  notAField: true\n',
    });
    expect(unknownField.code).not.toBe(0);
    expect(unknownField.stderr).toContain('unknown field "spec.notAField"');
    const badName = await cluster.kubectl(['create', 'namespace', 'Bad_Name']);
    expect(badName.stderr).toContain('a lowercase RFC 1123 label');
  });

  it('deletes namespaces through kube-controller-manager', async () => {
    await cluster.kubectl(['create', 'namespace', 'short-lived']);
    await cluster.kubectl([
      'delete',
      'namespace',
      'short-lived',
      '--wait=false',
    ]);
    const deadline = Date.now() + 60_000;
    let get = await cluster.kubectl(['get', 'namespace', 'short-lived']);
    while (get.code === 0 && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 250));
      get = await cluster.kubectl(['get', 'namespace', 'short-lived']);
    }
    expect(get.stderr).toContain('NotFound');
  });

  it('goes down and comes back with its objects; a fault proxy cuts only its clients', async () => {
    await cluster.kubectl(['create', 'configmap', 'kept', '-n', 'apps']);
    await cluster.simulateOutage();
    expect((await cluster.kubectl(['get', 'ns'])).code).not.toBe(0);
    await cluster.resume();
    const kept = await cluster.kubectl([
      'get',
      'configmap',
      'kept',
      '-n',
      'apps',
    ]);
    expect(kept.code).toBe(0);

    const proxy = await cluster.startFaultProxy();
    const viaProxy = () => {
      const kc = new KubeConfig();
      kc.loadFromString(
        cluster.kubeconfigFor(cluster.adminToken, { server: proxy.url }),
      );
      return kc.makeApiClient(CoreV1Api).listNamespace();
    };
    await expect(viaProxy()).resolves.toBeDefined();
    proxy.cut();
    await expect(viaProxy()).rejects.toBeDefined();
    expect((await cluster.kubectl(['get', 'ns'])).code).toBe(0);
    proxy.restore();
    await expect(viaProxy()).resolves.toBeDefined();
  });
});
