import { resolve } from 'node:path';
import { KubeTestServer, startKubeTestServer } from './startKubeTestServer';

const CRDS = resolve(__dirname, '../../../deploy/crds');

/** Raw HTTP against a plain-HTTP server: the bodies and codes clients depend on. */
describe('API semantics over raw HTTP', () => {
  let server: KubeTestServer;

  beforeEach(async () => {
    server = await startKubeTestServer({
      tls: false,
      crds: [CRDS],
      namespaces: ['team-a'],
    });
  });

  afterEach(async () => {
    await server.stop();
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ code: number; body: any; contentType: string | null }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${server.adminToken}`,
        'Content-Type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain text bodies (404 page not found) stay text
    }
    return {
      code: response.status,
      body: parsed,
      contentType: response.headers.get('content-type'),
    };
  }

  it('lists resources in legacy discovery with verbs, scope, kind and short names', async () => {
    const core = await call('GET', '/api/v1');
    const services = core.body.resources.find(
      (r: any) => r.name === 'services',
    );
    expect(services).toMatchObject({
      namespaced: true,
      kind: 'Service',
      shortNames: ['svc'],
    });
    expect(services.verbs).toEqual(
      expect.arrayContaining(['create', 'list', 'watch', 'patch']),
    );
    expect(
      core.body.resources.find((r: any) => r.name === 'services/status'),
    ).toMatchObject({
      verbs: ['get', 'patch', 'update'],
    });
    const groups = await call('GET', '/apis');
    expect(
      groups.body.groups.find((g: any) => g.name === 'metallb.io'),
    ).toEqual({
      name: 'metallb.io',
      versions: [
        { groupVersion: 'metallb.io/v1beta2', version: 'v1beta2' },
        { groupVersion: 'metallb.io/v1beta1', version: 'v1beta1' },
      ],
      preferredVersion: {
        groupVersion: 'metallb.io/v1beta2',
        version: 'v1beta2',
      },
    });
    const grants = await call('GET', '/apis/portico.dev/v1alpha1');
    expect(grants.body.resources[0]).toMatchObject({
      name: 'exposuregrants',
      namespaced: false,
      kind: 'ExposureGrant',
      shortNames: ['xg'],
      categories: ['portico'],
    });
  });

  it('answers aggregated discovery when the client asks for it', async () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const apis = await call('GET', '/apis', undefined, { Accept: accept });
    expect(apis.contentType).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const portico = apis.body.items.find(
      (i: any) => i.metadata.name === 'portico.dev',
    );
    expect(portico.versions[0].resources[0]).toMatchObject({
      resource: 'exposuregrants',
      scope: 'Cluster',
      responseKind: {
        group: 'portico.dev',
        version: 'v1alpha1',
        kind: 'ExposureGrant',
      },
      subresources: [
        { subresource: 'status', verbs: ['get', 'patch', 'update'] },
      ],
    });
  });

  it('serves a CRD as soon as it is created, and stops when it is deleted', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
              },
            },
          },
        ],
      },
    };
    expect(
      (await call('GET', '/apis/example.com/v1/namespaces/team-a/widgets'))
        .code,
    ).toBe(404);
    const created = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crd,
    );
    expect(created.code).toBe(201);
    expect(
      created.body.status.conditions.map((c: any) => [c.type, c.status]),
    ).toEqual([
      ['NamesAccepted', 'True'],
      ['Established', 'True'],
    ]);
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      anything: { goes: 1 },
    };
    expect(
      (
        await call(
          'POST',
          '/apis/example.com/v1/namespaces/team-a/widgets',
          widget,
        )
      ).body.anything,
    ).toEqual({ goes: 1 });

    const bad = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        ...crd,
        metadata: { name: 'wrong-name.example.com' },
      },
    );
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');

    await call(
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    );
    expect(
      (await call('GET', '/apis/example.com/v1/namespaces/team-a/widgets'))
        .code,
    ).toBe(404);
    expect(
      (await call('GET', '/apis')).body.groups.map((g: any) => g.name),
    ).not.toContain('example.com');
  });

  it('keeps an object with finalizers until they are removed', async () => {
    const path = '/api/v1/namespaces/team-a/configmaps';
    await call('POST', path, {
      metadata: { name: 'held', finalizers: ['portico.dev/cleanup'] },
    });
    const deleting = await call('DELETE', `${path}/held`);
    expect(deleting.code).toBe(202);
    expect(deleting.body.metadata.deletionTimestamp).toEqual(
      expect.any(String),
    );
    expect((await call('GET', `${path}/held`)).code).toBe(200);
    await call(
      'PATCH',
      `${path}/held`,
      { metadata: { finalizers: null } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect((await call('GET', `${path}/held`)).code).toBe(404);
  });

  it('deletes what a namespace holds with it, and refuses a stale delete precondition', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
    const cm = await call('POST', '/api/v1/namespaces/doomed/configmaps', {
      metadata: { name: 'c' },
    });
    const stale = await call(
      'DELETE',
      '/api/v1/namespaces/doomed/configmaps/c',
      {
        preconditions: { resourceVersion: '1' },
      },
    );
    expect(stale.code).toBe(409);
    expect(cm.code).toBe(201);
    expect((await call('DELETE', '/api/v1/namespaces/doomed')).code).toBe(200);
    expect(
      (await call('GET', '/api/v1/namespaces/doomed/configmaps/c')).code,
    ).toBe(404);
  });

  it('does not persist dry runs, and does not bump the version for a write that changes nothing', async () => {
    const path = '/api/v1/namespaces/team-a/configmaps';
    const dry = await call('POST', `${path}?dryRun=All`, {
      metadata: { name: 'dry' },
    });
    expect(dry.code).toBe(201);
    expect((await call('GET', `${path}/dry`)).code).toBe(404);

    const created = await call('POST', path, {
      metadata: { name: 'same' },
      data: { a: '1' },
    });
    const again = await call('PUT', `${path}/same`, created.body);
    expect(again.body.metadata.resourceVersion).toBe(
      created.body.metadata.resourceVersion,
    );
  });

  it('refuses protobuf bodies with 415 and unknown paths with 404', async () => {
    const proto = await call('POST', '/api/v1/namespaces', undefined, {
      'Content-Type': 'application/vnd.kubernetes.protobuf',
    });
    expect(proto.code).toBe(415);
    expect(proto.body.reason).toBe('UnsupportedMediaType');
    expect((await call('GET', '/api/v1/pods')).code).toBe(404);
  });

  it('requires a field manager for server-side apply', async () => {
    const missing = await call(
      'PATCH',
      '/api/v1/namespaces/team-a/configmaps/applied',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' } },
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    expect(missing.code).toBe(400);
    const created = await call(
      'PATCH',
      '/api/v1/namespaces/team-a/configmaps/applied?fieldManager=test',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'applied' },
        data: { a: '1' },
      },
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    expect(created.code).toBe(201);
    expect(created.body.data).toEqual({ a: '1' });
  });

  it('offers PATCH with fieldValidation in OpenAPI v3 for every kind, as kubectl checks', async () => {
    const root = await call('GET', '/openapi/v3');
    const url: string =
      root.body.paths['apis/metallb.io/v1beta1'].serverRelativeURL;
    const document = await call('GET', url);
    const patch =
      document.body.paths[
        '/apis/metallb.io/v1beta1/namespaces/{namespace}/ipaddresspools/{name}'
      ].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'metallb.io',
      version: 'v1beta1',
      kind: 'IPAddressPool',
    });
    expect(patch.parameters.map((p: any) => p.name)).toContain(
      'fieldValidation',
    );
    expect((await call('GET', '/openapi/v2')).code).toBe(404);
  });
});

describe('custom resource validation', () => {
  let server: KubeTestServer;

  beforeAll(async () => {
    server = await startKubeTestServer({
      tls: false,
      crds: [CRDS],
      namespaces: ['metallb-system'],
    });
  });

  afterAll(async () => {
    await server.stop();
  });

  async function post(path: string, body: unknown) {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${server.adminToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { code: response.status, body: await response.json() };
  }

  it('refuses a grant missing required fields with 422 and the fields named', async () => {
    const result = await post('/apis/portico.dev/v1alpha1/exposuregrants', {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'ExposureGrant',
      metadata: { name: 'incomplete' },
      spec: {
        service: { namespace: 'default' },
        addresses: [],
        pool: 'p',
        requestId: 'r',
        owner: 'o',
      },
    });
    expect(result.code).toBe(422);
    expect(result.body.message).toBe(
      'ExposureGrant.portico.dev "incomplete" is invalid: [spec.service.name: Required value, spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items]',
    );
    expect(result.body.details.causes.map((c: any) => c.field)).toEqual([
      'spec.service.name',
      'spec.addresses',
    ]);
  });

  it('checks types, enums and ranges', async () => {
    const result = await post(
      '/apis/metallb.io/v1beta2/namespaces/metallb-system/bgppeers',
      {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: 'tor' },
        spec: {
          myASN: '64512',
          peerASN: 64513,
          peerAddress: '192.0.2.1',
          peerPort: 99999,
          nodeSelectors: [
            { matchExpressions: [{ key: 'k', operator: 'Maybe' }] },
          ],
        },
      },
    );
    expect(result.code).toBe(422);
    expect(result.body.details.causes.map((c: any) => c.message)).toEqual([
      'Invalid value: "string": spec.myASN in body must be of type integer: "string"',
      'Invalid value: 99999: spec.peerPort in body should be less than or equal to 16384',
      'Unsupported value: "Maybe": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
    ]);
  });
});

describe('outages', () => {
  let server: KubeTestServer;

  beforeEach(async () => {
    server = await startKubeTestServer({ tls: false });
  });

  afterEach(async () => {
    await server.stop();
  });

  const get = (signal?: AbortSignal) =>
    fetch(`${server.url}/api/v1/namespaces`, {
      headers: { Authorization: `Bearer ${server.adminToken}` },
      signal,
    });

  it('refuses connections, then serves the same objects on the same port', async () => {
    server.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'kept' },
    });
    await server.simulateOutage();
    await expect(get()).rejects.toThrow();
    await server.resume();
    const names = (await (await get()).json()).items.map(
      (n: any) => n.metadata.name,
    );
    expect(names).toContain('kept');
  });

  it('answers 503 with a Status while unavailable', async () => {
    await server.simulateOutage('unavailable');
    const response = await get();
    expect(response.status).toBe(503);
    expect((await response.json()).reason).toBe('ServiceUnavailable');
    await server.resume();
    expect((await get()).status).toBe(200);
  });

  it('leaves requests unanswered while hanging', async () => {
    await server.simulateOutage('hang');
    await expect(get(AbortSignal.timeout(300))).rejects.toThrow();
    await server.resume();
    expect((await get()).status).toBe(200);
  });
});

describe('collections and secrets', () => {
  let server: KubeTestServer;

  beforeAll(async () => {
    server = await startKubeTestServer({ tls: false });
  });

  afterAll(async () => {
    await server.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${server.adminToken}`,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { code: response.status, body: await response.json() };
  };

  it('deletes a collection by label selector and returns what it deleted', async () => {
    for (const [name, tier] of [
      ['a', 'edge'],
      ['b', 'edge'],
      ['c', 'core'],
    ]) {
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name, labels: { tier } },
      });
    }
    const deleted = await call(
      'DELETE',
      '/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dedge',
    );
    expect(deleted.code).toBe(200);
    expect(deleted.body.items.map((i: any) => i.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    const left = await call('GET', '/api/v1/namespaces/default/configmaps');
    expect(left.body.items.map((i: any) => i.metadata.name)).toEqual(['c']);
  });

  it('folds a Secret stringData into base64 data', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/secrets', {
      metadata: { name: 'bgp' },
      stringData: { password: 's3cret' },
    });
    expect(created.body.data).toEqual({
      password: Buffer.from('s3cret').toString('base64'),
    });
    expect(created.body.stringData).toBeUndefined();
    expect(created.body.type).toBe('Opaque');
  });
});

describe('watch paths', () => {
  let server: KubeTestServer;

  beforeAll(async () => {
    server = await startKubeTestServer({ tls: false, namespaces: ['team-a'] });
    server.apply([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'one', namespace: 'team-a' },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'two', namespace: 'team-a' },
      },
    ]);
  });

  afterAll(async () => {
    await server.stop();
  });

  async function events(
    path: string,
  ): Promise<Array<{ type: string; name: string }>> {
    const response = await fetch(`${server.url}${path}`, {
      headers: { Authorization: `Bearer ${server.adminToken}` },
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    return text
      .trim()
      .split('\n')
      .map(line => JSON.parse(line))
      .map(e => ({ type: e.type, name: e.object.metadata.name }));
  }

  it('streams a collection from the legacy /watch/ path until timeoutSeconds', async () => {
    expect(
      await events(
        '/api/v1/watch/namespaces/team-a/configmaps?timeoutSeconds=1',
      ),
    ).toEqual([
      { type: 'ADDED', name: 'one' },
      { type: 'ADDED', name: 'two' },
    ]);
  });

  it('streams one object from /watch/.../name and from ?watch=1 with a name selector', async () => {
    expect(
      await events(
        '/api/v1/watch/namespaces/team-a/configmaps/two?timeoutSeconds=1',
      ),
    ).toEqual([{ type: 'ADDED', name: 'two' }]);
    expect(
      await events(
        '/api/v1/namespaces/team-a/configmaps?watch=1&fieldSelector=metadata.name%3Done&timeoutSeconds=1',
      ),
    ).toEqual([{ type: 'ADDED', name: 'one' }]);
  });
});

describe('input a client controls', () => {
  let server: KubeTestServer;

  beforeAll(async () => {
    server = await startKubeTestServer({ tls: false });
  });

  afterAll(async () => {
    await server.stop();
  });

  it.each([
    [
      'a malformed path',
      'GET',
      '/api/v1/namespaces/%E0%A4%A/configmaps',
      undefined,
      'application/json',
    ],
    [
      'a body that is not JSON',
      'POST',
      '/api/v1/namespaces/default/configmaps',
      '{"metadata":',
      'application/json',
    ],
    [
      'a JSON patch that is not a list',
      'PATCH',
      '/api/v1/namespaces/default',
      '{}',
      'application/json-patch+json',
    ],
    [
      'a label selector that does not parse',
      'GET',
      '/api/v1/configmaps?labelSelector=a%20b%20c',
      undefined,
      'application/json',
    ],
  ])(
    'answers 400 with a Status for %s',
    async (_what, method, path, body, contentType) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${server.adminToken}`,
          'Content-Type': contentType,
        },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        code: 400,
      });
    },
  );
});

describe('CRD versions and lifecycle', () => {
  let server: KubeTestServer;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Cluster',
      names: { plural: 'gadgets', kind: 'Gadget' },
      versions: ['v1alpha1', 'v1'].map(name => ({
        name,
        served: true,
        storage: name === 'v1',
        schema: {
          openAPIV3Schema: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          },
        },
      })),
    },
  };

  beforeEach(async () => {
    server = await startKubeTestServer({ tls: false, crds: [crd] });
  });

  afterEach(async () => {
    await server.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${server.adminToken}`,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { code: response.status, body: await response.json() };
  };

  it('serves one stored object at every served version', async () => {
    await call('POST', '/apis/example.com/v1alpha1/gadgets', {
      apiVersion: 'example.com/v1alpha1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      size: 3,
    });
    const asV1 = await call('GET', '/apis/example.com/v1/gadgets/g');
    expect(asV1.body).toMatchObject({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      size: 3,
    });
    const groups = await call('GET', '/apis/example.com');
    expect(groups.body.preferredVersion.version).toBe('v1');
  });

  it('ends watches on a kind when its CRD is deleted, after reporting its objects deleted', async () => {
    await call('POST', '/apis/example.com/v1/gadgets', {
      metadata: { name: 'g' },
    });
    const response = await fetch(
      `${server.url}/apis/example.com/v1/gadgets?watch=1`,
      {
        headers: { Authorization: `Bearer ${server.adminToken}` },
      },
    );
    const text = response.text();
    await call(
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com',
    );
    const events = (await text)
      .trim()
      .split('\n')
      .map(line => JSON.parse(line).type);
    expect(events).toEqual(['ADDED', 'DELETED']);
  });
});
