import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { KubeTarget, kubeTarget } from './kubeTarget';

jest.setTimeout(30_000);

const CRDS = resolve(__dirname, '../../../deploy/crds');
const grants = {
  group: 'portico.dev',
  version: 'v1alpha1',
  plural: 'exposuregrants',
};
const pools = {
  group: 'metallb.io',
  version: 'v1beta1',
  plural: 'ipaddresspools',
};

// Runs against a real cluster too when PORTICO_E2E_KUBECONFIG is set (with
// deploy/crds installed): names are unique to the run and removed afterwards.
describe('custom resources with @kubernetes/client-node', () => {
  const run = randomBytes(3).toString('hex');
  const namespace = `kts-${run}`;
  const grantName = `edge-api-${run}`;
  let target: KubeTarget;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let kc: KubeConfig;

  beforeAll(async () => {
    target = await kubeTarget({ crds: [CRDS] });
    kc = new KubeConfig();
    kc.loadFromString(target.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await custom
      .deleteClusterCustomObject({ ...grants, name: grantName })
      .catch(() => undefined);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await target.stop();
  });

  function grant(addresses: string[]) {
    return {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'ExposureGrant',
      metadata: { name: grantName },
      spec: {
        service: { namespace, name: 'edge-api' },
        addresses,
        pool: 'prod-external',
        requestId: `req-${run}`,
        owner: 'group:default/team-a',
      },
    };
  }

  it('stores namespaced MetalLB pools with schema defaults, dropping unknown fields', async () => {
    const created = await custom.createNamespacedCustomObject({
      ...pools,
      namespace,
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: {
          name: 'prod-external',
          labels: { intent: 'production-external' },
        },
        spec: { addresses: ['192.0.2.0/28'], notInTheSchema: true },
      },
    });
    expect(created.spec).toEqual({
      addresses: ['192.0.2.0/28'],
      autoAssign: true,
      avoidBuggyIPs: false,
    });
    const listed = await custom.listNamespacedCustomObject({
      ...pools,
      namespace,
      labelSelector: 'intent=production-external',
    });
    expect(listed.kind).toBe('IPAddressPoolList');
    expect(listed.items.map((i: any) => [i.kind, i.metadata.name])).toEqual([
      ['IPAddressPool', 'prod-external'],
    ]);
  });

  it('writes a cluster-scoped ExposureGrant, its status apart, and patches it', async () => {
    const informer = makeInformer<any>(
      kc,
      '/apis/portico.dev/v1alpha1/exposuregrants',
      () => custom.listClusterCustomObject(grants),
    );
    const seen: string[] = [];
    informer.on('add', g => seen.push(`add ${g.spec.addresses}`));
    informer.on('update', g =>
      seen.push(`update ${g.spec.addresses} ${g.status?.phase ?? '-'}`),
    );
    informer.on('delete', g => seen.push(`delete ${g.metadata.name}`));
    await informer.start();
    try {
      const created = await custom.createClusterCustomObject({
        ...grants,
        body: {
          ...grant(['192.0.2.10']),
          status: { phase: 'ignored on create' },
        },
      });
      expect(created.metadata.namespace).toBeUndefined();
      expect(created.status).toBeUndefined();
      expect(created.metadata.generation).toBe(1);

      const withStatus = await custom.replaceClusterCustomObjectStatus({
        ...grants,
        name: grantName,
        body: {
          ...created,
          spec: { ...created.spec, addresses: ['192.0.2.99'] },
          status: { phase: 'Assigned' },
        },
      });
      expect(withStatus.status).toEqual({ phase: 'Assigned' });
      expect(withStatus.spec.addresses).toEqual(['192.0.2.10']);
      expect(withStatus.metadata.generation).toBe(1);

      const patched = await custom.patchClusterCustomObject(
        {
          ...grants,
          name: grantName,
          body: { spec: { addresses: ['192.0.2.11'] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(patched.spec.addresses).toEqual(['192.0.2.11']);
      expect(patched.status).toEqual({ phase: 'Assigned' });
      expect(patched.metadata.generation).toBe(2);

      const strategic = await custom
        .patchClusterCustomObject(
          { ...grants, name: grantName, body: { spec: { pool: 'x' } } },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        )
        .catch(e => e);
      expect(strategic).toBeInstanceOf(ApiException);
      expect((strategic as ApiException<unknown>).code).toBe(415);

      await custom.deleteClusterCustomObject({ ...grants, name: grantName });
      const deadline = Date.now() + 5000;
      while (seen.length < 4 && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 20));
      }
      expect(seen).toEqual([
        'add 192.0.2.10',
        'update 192.0.2.10 Assigned',
        'update 192.0.2.11 Assigned',
        `delete ${grantName}`,
      ]);
    } finally {
      await informer.stop();
    }
  });

  it('creates with server-side apply, then merges a second apply', async () => {
    const applied = await custom.patchClusterCustomObject(
      {
        ...grants,
        name: grantName,
        body: grant(['192.0.2.20']),
        fieldManager: 'portico',
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.spec.addresses).toEqual(['192.0.2.20']);
    const again = await custom.patchClusterCustomObject(
      {
        ...grants,
        name: grantName,
        fieldManager: 'portico',
        body: {
          ...grant(['192.0.2.21']),
          metadata: { name: grantName, labels: { a: 'b' } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(again.spec.addresses).toEqual(['192.0.2.21']);
    expect(again.metadata.labels).toEqual({ a: 'b' });
    expect(again.metadata.uid).toBe(applied.metadata.uid);
    await custom.deleteClusterCustomObject({ ...grants, name: grantName });
  });

  it("removes with server-side apply what the manager stopped applying, and keeps others' fields", async () => {
    const apply = (labels: Record<string, string>) =>
      custom.patchClusterCustomObject(
        {
          ...grants,
          name: grantName,
          fieldManager: 'portico',
          body: {
            ...grant(['192.0.2.30']),
            metadata: { name: grantName, labels },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    await apply({ a: '1', b: '2' });
    await custom.patchClusterCustomObject(
      {
        ...grants,
        name: grantName,
        body: { metadata: { labels: { c: '3' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const second = await apply({ a: '1' });
    expect(second.metadata.labels).toEqual({ a: '1', c: '3' });
    expect(
      second.metadata.managedFields.find((f: any) => f.manager === 'portico')
        .operation,
    ).toBe('Apply');
    const third = await apply({ a: '1' });
    expect(third.metadata.resourceVersion).toBe(
      second.metadata.resourceVersion,
    );
    await custom.deleteClusterCustomObject({ ...grants, name: grantName });
  });
});
