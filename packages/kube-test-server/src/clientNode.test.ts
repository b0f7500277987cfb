import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  V1Service,
  Watch,
} from '@kubernetes/client-node';
import https from 'node:https';
import { KubeTestServer, startKubeTestServer } from './startKubeTestServer';

jest.setTimeout(20_000);

function clientFor(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return kc;
}

function statusOf(error: unknown): {
  code: number;
  reason: string;
  message: string;
} {
  if (!(error instanceof ApiException)) throw error;
  // The generated client drops the body of a 401 answer.
  const body =
    typeof error.body === 'string' ? JSON.parse(error.body) : error.body ?? {};
  return { code: error.code, reason: body.reason, message: body.message };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  throw new Error('the request succeeded');
}

/** Resolves once `check` holds, polling every 20 ms for at most `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

function getWithCa(
  url: string,
  ca: string,
): Promise<{ code: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () =>
          resolve({ code: res.statusCode!, body: JSON.parse(text) }),
        );
      })
      .on('error', reject);
  });
}

function edgeApi(name = 'edge-api'): V1Service {
  return {
    metadata: { name, labels: { app: 'edge-api', tier: 'edge' } },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'edge-api' },
      ports: [{ port: 443, targetPort: 8443 }],
    },
  };
}

describe('with @kubernetes/client-node', () => {
  let server: KubeTestServer;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeEach(async () => {
    server = await startKubeTestServer({
      namespaces: ['team-a'],
      tokens: {
        reader: {
          user: 'reader',
          allow: [{ verbs: ['get', 'list', 'watch'], resources: ['services'] }],
        },
      },
    });
    kc = clientFor(server.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterEach(async () => {
    await server.stop();
  });

  it('creates, reads, lists by selector, updates and deletes a Service', async () => {
    const created = await core.createNamespacedService({
      namespace: 'team-a',
      body: edgeApi(),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.clusterIP).toMatch(/^198\.19\./);
    expect(created.spec?.ports?.[0]).toMatchObject({
      port: 443,
      protocol: 'TCP',
      nodePort: 30000,
    });
    expect(created.status).toEqual({ loadBalancer: {} });

    const generated = await core.createNamespacedService({
      namespace: 'team-a',
      body: {
        metadata: { generateName: 'temp-', labels: { tier: 'batch' } },
        spec: { ports: [{ port: 80 }] },
      },
    });
    expect(generated.metadata?.name).toMatch(/^temp-[a-z0-9]{5}$/);

    const byLabel = await core.listNamespacedService({
      namespace: 'team-a',
      labelSelector: 'tier in (edge),app',
    });
    expect(byLabel.items.map(s => s.metadata?.name)).toEqual(['edge-api']);
    const byField = await core.listServiceForAllNamespaces({
      fieldSelector: `metadata.name=${generated.metadata?.name}`,
    });
    expect(byField.items.map(s => s.metadata?.namespace)).toEqual(['team-a']);
    const notInDefault = await core.listNamespacedService({
      namespace: 'default',
    });
    expect(notInDefault.items).toEqual([]);

    const fetched = await core.readNamespacedService({
      name: 'edge-api',
      namespace: 'team-a',
    });
    fetched.spec!.ports![0].port = 8443;
    const updated = await core.replaceNamespacedService({
      name: 'edge-api',
      namespace: 'team-a',
      body: fetched,
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(fetched.metadata?.resourceVersion),
    );
    expect(updated.metadata?.generation).toBe(2);
    expect(updated.spec?.clusterIP).toBe(created.spec?.clusterIP);

    const stale = await failure(
      core.replaceNamespacedService({
        name: 'edge-api',
        namespace: 'team-a',
        body: fetched,
      }),
    );
    expect(stale).toEqual({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on services "edge-api": the object has been modified; please apply your changes to the latest version and try again',
    });
    const duplicate = await failure(
      core.createNamespacedService({ namespace: 'team-a', body: edgeApi() }),
    );
    expect(duplicate).toMatchObject({ code: 409, reason: 'AlreadyExists' });

    await core.deleteNamespacedService({
      name: 'edge-api',
      namespace: 'team-a',
    });
    expect(
      await failure(
        core.readNamespacedService({ name: 'edge-api', namespace: 'team-a' }),
      ),
    ).toEqual({
      code: 404,
      reason: 'NotFound',
      message: 'services "edge-api" not found',
    });
  });

  it('refuses objects in a namespace that does not exist', async () => {
    expect(
      await failure(
        core.createNamespacedService({ namespace: 'nowhere', body: edgeApi() }),
      ),
    ).toMatchObject({
      code: 404,
      message: 'namespaces "nowhere" not found',
    });
  });

  it('patches with merge, strategic merge and JSON patch content types', async () => {
    await core.createNamespacedService({
      namespace: 'team-a',
      body: edgeApi(),
    });
    const target = { name: 'edge-api', namespace: 'team-a' };

    const merged = await core.patchNamespacedService(
      {
        ...target,
        body: {
          metadata: {
            annotations: {
              'metallb.universe.tf/address-pool': 'prod-external',
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.annotations).toEqual({
      'metallb.universe.tf/address-pool': 'prod-external',
    });

    const strategic = await core.patchNamespacedService(
      {
        ...target,
        body: {
          spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }] },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.ports?.map(p => p.port)).toEqual([443, 80]);

    const jsonPatched = await core.patchNamespacedService(
      {
        ...target,
        body: [{ op: 'replace', path: '/spec/ports/1/port', value: 8080 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.spec?.ports?.map(p => p.port)).toEqual([443, 8080]);

    const applied = await core.patchNamespacedService(
      {
        ...target,
        fieldManager: 'portico',
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'edge-api', labels: { owner: 'team-a' } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.metadata?.labels).toMatchObject({
      app: 'edge-api',
      owner: 'team-a',
    });
  });

  it('writes status only through the status subresource', async () => {
    const created = await core.createNamespacedService({
      namespace: 'team-a',
      body: {
        ...edgeApi(),
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
      },
    });
    expect(created.status).toEqual({ loadBalancer: {} });

    created.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    created.spec!.selector = { app: 'changed-by-status-write' };
    const withStatus = await core.replaceNamespacedServiceStatus({
      name: 'edge-api',
      namespace: 'team-a',
      body: created,
    });
    expect(withStatus.status?.loadBalancer?.ingress).toEqual([
      { ip: '192.0.2.10' },
    ]);
    expect(withStatus.spec?.selector).toEqual({ app: 'edge-api' });
    expect(withStatus.metadata?.generation).toBe(1);

    withStatus.status = { loadBalancer: {} };
    withStatus.metadata!.labels = { app: 'edge-api', changed: 'yes' };
    const mainWrite = await core.replaceNamespacedService({
      name: 'edge-api',
      namespace: 'team-a',
      body: withStatus,
    });
    expect(mainWrite.status?.loadBalancer?.ingress).toEqual([
      { ip: '192.0.2.10' },
    ]);
    expect(mainWrite.metadata?.labels?.changed).toBe('yes');
    expect(mainWrite.metadata?.generation).toBe(1);

    const patchedStatus = await core.patchNamespacedServiceStatus(
      {
        name: 'edge-api',
        namespace: 'team-a',
        body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patchedStatus.status?.loadBalancer?.ingress).toEqual([
      { ip: '192.0.2.11' },
    ]);
  });

  it('serves Nodes, Events, Leases and EndpointSlices', async () => {
    await core.createNode({
      body: {
        metadata: {
          name: 'node-1',
          labels: { 'kubernetes.io/hostname': 'node-1' },
        },
      },
    });
    const nodes = await core.listNode({
      labelSelector: 'kubernetes.io/hostname=node-1',
    });
    expect(nodes.items.map(n => n.metadata?.name)).toEqual(['node-1']);
    expect(nodes.items[0].metadata?.namespace).toBeUndefined();

    await core.createNamespacedEvent({
      namespace: 'team-a',
      body: {
        metadata: { generateName: 'edge-api.' },
        involvedObject: {
          kind: 'Service',
          namespace: 'team-a',
          name: 'edge-api',
        },
        reason: 'NoGrant',
        message: 'request an exposure in Portico',
        type: 'Warning',
      },
    });
    const events = await core.listNamespacedEvent({
      namespace: 'team-a',
      fieldSelector: 'involvedObject.name=edge-api',
    });
    expect(events.items.map(e => e.reason)).toEqual(['NoGrant']);

    const coordination = kc.makeApiClient(CoordinationV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: 'kube-system',
      body: {
        metadata: { name: 'portico-controller' },
        spec: { holderIdentity: 'node-1', leaseDurationSeconds: 15 },
      },
    });
    lease.spec!.holderIdentity = 'node-2';
    const taken = await coordination.replaceNamespacedLease({
      name: 'portico-controller',
      namespace: 'kube-system',
      body: lease,
    });
    expect(taken.spec?.holderIdentity).toBe('node-2');
    expect(
      (
        await failure(
          coordination.replaceNamespacedLease({
            name: 'portico-controller',
            namespace: 'kube-system',
            body: lease,
          }),
        )
      ).code,
    ).toBe(409);

    const discovery = kc.makeApiClient(DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({
      namespace: 'team-a',
      body: {
        metadata: {
          name: 'edge-api-abc12',
          labels: { 'kubernetes.io/service-name': 'edge-api' },
        },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: ['192.0.2.20'],
            nodeName: 'node-1',
            conditions: { ready: true },
          },
        ],
        ports: [{ port: 8443, protocol: 'TCP' }],
      },
    });
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: 'team-a',
      labelSelector: 'kubernetes.io/service-name=edge-api',
    });
    expect(slices.items[0].endpoints[0].nodeName).toBe('node-1');
  });

  it('pages lists with limit and continue', async () => {
    for (const name of ['a', 'b', 'c']) {
      await core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: { metadata: { name }, data: { name } },
      });
    }
    const first = await core.listNamespacedConfigMap({
      namespace: 'team-a',
      limit: 2,
    });
    expect(first.items.map(i => i.metadata?.name)).toEqual(['a', 'b']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const second = await core.listNamespacedConfigMap({
      namespace: 'team-a',
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(second.items.map(i => i.metadata?.name)).toEqual(['c']);
    expect(second.metadata?._continue).toBeUndefined();
  });

  it('answers 401 without a token and 403 with a Status for a token without rights', async () => {
    const anonymous = new KubeConfig();
    anonymous.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: server.url,
          caData: Buffer.from(server.certificateAuthority!).toString('base64'),
        },
      ],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect(
      (await failure(anonymous.makeApiClient(CoreV1Api).listNamespace())).code,
    ).toBe(401);
    const raw = await getWithCa(
      `${server.url}/api/v1/namespaces`,
      server.certificateAuthority!,
    );
    expect(raw).toEqual({
      code: 401,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      },
    });

    const reader = clientFor(server.kubeconfigFor('reader')).makeApiClient(
      CoreV1Api,
    );
    expect(
      (await reader.listNamespacedService({ namespace: 'team-a' })).items,
    ).toEqual([]);
    expect(
      await failure(
        reader.createNamespacedService({
          namespace: 'team-a',
          body: edgeApi(),
        }),
      ),
    ).toEqual({
      code: 403,
      reason: 'Forbidden',
      message:
        'services is forbidden: User "reader" cannot create resource "services" in API group "" in the namespace "team-a"',
    });
    expect(
      await failure(
        reader.replaceNamespacedServiceStatus({
          name: 'x',
          namespace: 'team-a',
          body: edgeApi(),
        }),
      ),
    ).toMatchObject({
      code: 403,
      message:
        'services "x" is forbidden: User "reader" cannot update resource "services/status" in API group "" in the namespace "team-a"',
    });
  });

  describe('informers', () => {
    it('list, then watch adds, updates and deletes', async () => {
      const informer = makeInformer(
        kc,
        '/api/v1/namespaces/team-a/services',
        () => core.listNamespacedService({ namespace: 'team-a' }),
      );
      const seen: string[] = [];
      informer.on('add', s => seen.push(`add ${s.metadata?.name}`));
      informer.on('update', s =>
        seen.push(
          `update ${s.metadata?.name} ${s.status?.loadBalancer?.ingress?.[0]?.ip}`,
        ),
      );
      informer.on('delete', s => seen.push(`delete ${s.metadata?.name}`));
      await core.createNamespacedService({
        namespace: 'team-a',
        body: edgeApi('before'),
      });
      await informer.start();
      try {
        await until(() => seen.length === 1);
        const created = await core.createNamespacedService({
          namespace: 'team-a',
          body: edgeApi(),
        });
        await core.replaceNamespacedServiceStatus({
          name: 'edge-api',
          namespace: 'team-a',
          body: {
            ...created,
            status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
          },
        });
        await core.deleteNamespacedService({
          name: 'before',
          namespace: 'team-a',
        });
        await until(() => seen.length === 4);
        expect(seen).toEqual([
          'add before',
          'add edge-api',
          'update edge-api 192.0.2.10',
          'delete before',
        ]);
        expect(informer.list('team-a').map(s => s.metadata?.name)).toEqual([
          'edge-api',
        ]);
      } finally {
        await informer.stop();
      }
    });

    it('resumes from its resourceVersion after the cluster was down, without listing again', async () => {
      const informer = makeInformer(
        kc,
        '/api/v1/namespaces/team-a/services',
        () => core.listNamespacedService({ namespace: 'team-a' }),
      );
      const added: string[] = [];
      const errors: unknown[] = [];
      informer.on('add', s => added.push(s.metadata!.name!));
      informer.on('error', e => errors.push(e));
      await informer.start();
      try {
        await core.createNamespacedService({
          namespace: 'team-a',
          body: edgeApi('first'),
        });
        await until(() => added.length === 1);

        await server.simulateOutage();
        await until(() => errors.length > 0);
        server.apply({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'while-down', namespace: 'team-a' },
          spec: { ports: [{ port: 80 }] },
        });
        await server.resume();
        const before = server.requests().length;
        await informer.start();
        await until(() => added.length === 2);
        expect(added).toEqual(['first', 'while-down']);
        const after = server.requests().slice(before);
        expect(after.map(r => r.verb)).toEqual(['watch']);
        expect(Number(after[0].query.resourceVersion)).toBeGreaterThan(0);
      } finally {
        await informer.stop();
      }
    });

    it('relists after 410 Gone and reports what was deleted meanwhile', async () => {
      const informer = makeInformer(
        kc,
        '/api/v1/namespaces/team-a/services',
        () => core.listNamespacedService({ namespace: 'team-a' }),
      );
      const seen: string[] = [];
      const errors: unknown[] = [];
      informer.on('add', s => seen.push(`add ${s.metadata?.name}`));
      informer.on('delete', s => seen.push(`delete ${s.metadata?.name}`));
      informer.on('error', e => errors.push(e));
      await core.createNamespacedService({
        namespace: 'team-a',
        body: edgeApi('gone-soon'),
      });
      await informer.start();
      try {
        await until(() => seen.length === 1);
        await server.simulateOutage();
        await until(() => errors.length > 0);
        await server.resume();
        await core.deleteNamespacedService({
          name: 'gone-soon',
          namespace: 'team-a',
        });
        await core.createNamespacedService({
          namespace: 'team-a',
          body: edgeApi('new'),
        });
        server.compactHistory();
        await informer.start();
        await until(() => seen.length === 3);
        expect(seen).toEqual(['add gone-soon', 'delete gone-soon', 'add new']);
      } finally {
        await informer.stop();
      }
    });
  });

  describe('raw watches', () => {
    async function collect(
      path: string,
      query: Record<string, string | number | boolean | undefined>,
      count: number,
    ): Promise<Array<{ type: string; object: any }>> {
      const events: Array<{ type: string; object: any }> = [];
      let request: AbortController | undefined;
      await new Promise<void>((resolve, reject) => {
        new Watch(kc)
          .watch(
            path,
            query,
            (type, object) => {
              events.push({ type, object });
              if (events.length >= count) resolve();
            },
            err => (err ? reject(err) : resolve()),
          )
          .then(r => {
            request = r;
          }, reject);
      });
      request?.abort();
      return events;
    }

    it('sends a 410 Expired ERROR event for a version older than the history', async () => {
      const small = await startKubeTestServer({ historySize: 2 });
      try {
        const smallCore = clientFor(small.kubeconfig).makeApiClient(CoreV1Api);
        const first = await smallCore.createNamespacedConfigMap({
          namespace: 'default',
          body: { metadata: { name: 'a' } },
        });
        for (const name of ['b', 'c', 'd']) {
          await smallCore.createNamespacedConfigMap({
            namespace: 'default',
            body: { metadata: { name } },
          });
        }
        const events: Array<{ type: string; object: any }> = [];
        await new Promise<void>((resolve, reject) => {
          new Watch(clientFor(small.kubeconfig))
            .watch(
              '/api/v1/namespaces/default/configmaps',
              { resourceVersion: first.metadata?.resourceVersion },
              (type, object) => events.push({ type, object }),
              err => (err ? reject(err) : resolve()),
            )
            .catch(reject);
        });
        expect(events).toHaveLength(1);
        expect(events[0].type).toBe('ERROR');
        expect(events[0].object).toMatchObject({
          kind: 'Status',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
        });
        expect(events[0].object.message).toMatch(
          /^too old resource version: \d+ \(\d+\)$/,
        );
      } finally {
        await small.stop();
      }
    });

    it('replays changes after a resourceVersion, honours selectors, and sends bookmarks', async () => {
      const fast = await startKubeTestServer({ bookmarkIntervalMs: 50 });
      try {
        kc = clientFor(fast.kubeconfig);
        const fastCore = kc.makeApiClient(CoreV1Api);
        const start = await fastCore.listNamespacedService({
          namespace: 'default',
        });
        await fastCore.createNamespacedService({
          namespace: 'default',
          body: edgeApi('other'),
        });
        await fastCore.createNamespacedService({
          namespace: 'default',
          body: edgeApi(),
        });
        await fastCore.patchNamespacedService(
          {
            name: 'edge-api',
            namespace: 'default',
            body: { metadata: { labels: { tier: 'gone' } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        const events = await collect(
          '/api/v1/namespaces/default/services',
          {
            resourceVersion: start.metadata?.resourceVersion,
            labelSelector: 'tier=edge',
            fieldSelector: 'metadata.name=edge-api',
            allowWatchBookmarks: true,
          },
          3,
        );
        expect(events.map(e => e.type)).toEqual([
          'ADDED',
          'DELETED',
          'BOOKMARK',
        ]);
        expect(events[2].object).toEqual({
          kind: 'Service',
          apiVersion: 'v1',
          metadata: { resourceVersion: fast.resourceVersion() },
        });
      } finally {
        await fast.stop();
      }
    });
  });
});
