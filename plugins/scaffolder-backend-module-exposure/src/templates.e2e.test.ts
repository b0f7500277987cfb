import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import catalogModuleExposure from '@portico/plugin-catalog-backend-module-exposure';
// The end-to-end test runs the real exposure plugin next to this module.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import exposurePlugin from '@portico/plugin-exposure-backend';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import yaml from 'yaml';
import { scaffolderModuleExposure } from './module';

// The repository's own demo catalog and templates, as `npm start` loads them.
const repoRoot = resolvePath(__dirname, '../../..');
const catalogFile = (name: string) => resolvePath(repoRoot, 'catalog', name);

const WAIT_MS = 60_000;
const ALICE = 'user:default/alice';
const memberships: Record<string, string[]> = {
  [ALICE]: ['group:default/team-payments'],
};

/** Exposure config on TEST-NET addresses (data only: nothing is sent there). */
const exposureConfig = {
  segments: [
    {
      name: 'lab-internal',
      cidrs: ['198.51.100.0/24'],
      vlan: 500,
      modes: ['l2'],
      reserved: ['198.51.100.1'],
      clusters: ['demo'],
    },
    {
      name: 'lab-edge',
      cidrs: ['203.0.113.0/24'],
      vlan: 420,
      modes: ['l2'],
      clusters: ['demo'],
    },
  ],
  pools: [
    {
      name: 'internal-lab',
      segment: 'lab-internal',
      intent: 'internal',
      addresses: ['198.51.100.10-198.51.100.19'],
      advertisement: { type: 'l2' },
      policy: { approval: 'automatic' },
    },
    {
      name: 'edge-lab',
      segment: 'lab-edge',
      intent: 'production-external',
      addresses: ['203.0.113.10-203.0.113.19'],
      advertisement: { type: 'l2' },
      policy: { approval: 'required', ports: [443], protocols: ['TCP'] },
    },
    {
      name: 'temp-lab',
      segment: 'lab-edge',
      intent: 'temporary',
      addresses: ['203.0.113.100-203.0.113.109'],
      advertisement: { type: 'l2' },
      policy: { approval: 'automatic', maxLifetimeHours: 72 },
    },
    {
      name: 'mgmt-lab',
      segment: 'lab-internal',
      intent: 'management',
      addresses: ['198.51.100.200-198.51.100.209'],
      advertisement: { type: 'l2' },
      policy: {
        owners: ['group:default/platform-team'],
        approval: 'automatic',
      },
    },
  ],
};

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('exposure templates, end to end in one backend', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let base: string;
  /** The request the internal template made, for the VIP test. */
  let internalRequest: any;

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        scaffolderEntityModel,
        catalogModuleExposure,
        scaffolderPlugin,
        scaffolderModuleExposure,
        exposurePlugin,
        schedulerServiceFactory,
        mockServices.userInfo.mock({
          async getUserInfo(credentials) {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(memberships[ref] ?? [])],
            };
          },
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            portico: {
              platformAdminGroup: 'group:default/platform-team',
              catalogProvider: { refreshSeconds: 1 },
            },
            exposure: exposureConfig,
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Resource',
                    'Location',
                    'Group',
                    'User',
                    'Template',
                  ],
                },
              ],
              locations: [
                { type: 'file', target: catalogFile('org.yaml') },
                { type: 'file', target: catalogFile('components.yaml') },
                { type: 'file', target: catalogFile('templates/all.yaml') },
              ],
            },
          },
        }),
      ],
    });
    base = `http://localhost:${backend.server.port()}/api`;
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
  });

  async function api(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: mockCredentials.user.header(ALICE),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
    };
  }

  async function entity(ref: string): Promise<Entity | undefined> {
    const [kind, rest] = ref.split(':');
    const { status, body } = await api(
      `/catalog/entities/by-name/${kind}/${rest}`,
    );
    return status === 200 ? body : undefined;
  }

  /** Runs a template as alice and waits until the task ends. */
  /** Waits until a task ends; its status, log and output. */
  async function taskResult(taskId: string) {
    const task = await waitFor('the task to end', async () => {
      const { body } = await api(`/scaffolder/v2/tasks/${taskId}`);
      return ['completed', 'failed'].includes(body.status) ? body : undefined;
    });
    const events = await api(`/scaffolder/v2/tasks/${taskId}/events`);
    const log = (events.body as any[])
      .map(e => e.body?.message)
      .filter(Boolean)
      .join('\n');
    const completion = (events.body as any[]).find(
      e => e.type === 'completion',
    );
    return {
      taskId,
      status: task.status as string,
      log,
      output: completion?.body?.output,
    };
  }

  /** Runs a template as alice and waits until the task ends. */
  async function runTemplate(name: string, values: Record<string, unknown>) {
    await waitFor(`template ${name} in the catalog`, () =>
      entity(`template:default/${name}`),
    );
    // The action reads the component's owner from the catalog.
    await waitFor(`${values.component} in the catalog`, () =>
      entity(String(values.component)),
    );
    const created = await api('/scaffolder/v2/tasks', {
      method: 'POST',
      body: { templateRef: `template:default/${name}`, values },
    });
    expect(created.status).toBe(201);
    return taskResult(created.body.id);
  }

  const edgeApi = {
    component: 'component:default/edge-api',
    cluster: 'demo',
    namespace: 'payments',
    service: 'edge-api',
    ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }],
  };

  it(
    'lists the four templates, one per intent',
    async () => {
      const templates = await waitFor('four templates', async () => {
        const { body } = await api(
          '/catalog/entities/by-query?filter=kind=template',
        );
        const items = (body?.items ?? []) as Entity[];
        return items.length >= 4 ? items : undefined;
      });
      expect(
        templates
          .map(t => [
            t.metadata.title,
            t.metadata.annotations?.['portico.dev/intent'],
          ])
          .sort(),
      ).toEqual([
        ['Expose a service on the internal network', 'internal'],
        ['Expose a service to the internet', 'production-external'],
        ['Management-plane endpoint', 'management'],
        ['Temporary exposure for a test or migration', 'temporary'],
      ]);
    },
    WAIT_MS,
  );

  it(
    'internal template: request active in the database, manifest to copy',
    async () => {
      const run = await runTemplate('expose-service-internal', {
        ...edgeApi,
        justification: 'checkout calls edge-api over the internal network',
      });
      expect(run.log).not.toMatch(/error/i);
      expect(run.status).toBe('completed');

      // The request is stored by the exposure backend, active, owned by the
      // component's owner (read from the catalog by the action).
      const { body: requests } = await api(
        `/exposure/requests?entityRef=${encodeURIComponent(
          'component:default/edge-api',
        )}`,
      );
      expect(requests.items).toHaveLength(1);
      const request = requests.items[0];
      expect(request).toMatchObject({
        state: 'active',
        requestedBy: ALICE,
        owner: 'group:default/team-payments',
        pool: 'internal-lab',
        cluster: 'demo',
        namespace: 'payments',
        serviceName: 'edge-api',
        ports: [{ port: 443, protocol: 'TCP' }],
      });
      expect(request.address).toMatch(/^198\.51\.100\.1\d$/);

      // The rendered manifest comes back to copy (no publish target given).
      const manifestText = run.output.text.find(
        (t: any) => t.title === 'Service manifest',
      ).content as string;
      const manifest = yaml.parse(
        manifestText.split('```yaml')[1].split('```')[0],
      );
      expect(manifest).toEqual({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'edge-api',
          namespace: 'payments',
          labels: {
            'app.kubernetes.io/name': 'edge-api',
            'backstage.io/kubernetes-id': 'edge-api',
            'portico.dev/request-id': request.id,
            'portico.dev/intent': 'internal',
          },
          annotations: {
            'metallb.universe.tf/address-pool': 'internal-lab',
            'metallb.universe.tf/loadBalancerIPs': request.address,
            'portico.dev/entity-ref': 'component:default/edge-api',
          },
        },
        spec: {
          type: 'LoadBalancer',
          selector: { app: 'edge-api' },
          ports: [
            { name: 'tcp-443', port: 443, targetPort: 8443, protocol: 'TCP' },
          ],
        },
      });
      expect(run.output.links[0].url).toBe(
        `http://portal.example/catalog/default/component/edge-api/exposure?request=${request.id}`,
      );

      internalRequest = request;
    },
    2 * WAIT_MS,
  );

  it(
    'the VIP of that request appears in the catalog graph of edge-api',
    async () => {
      const request = internalRequest;
      expect(request).toBeDefined();
      const probe = await fetch(`${base}/exposure/pools`, {
        headers: {
          authorization: mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:catalog'),
            targetPluginId: 'exposure',
          }),
        },
      });
      expect(probe.status === 200 ? 200 : await probe.text()).toBe(200);

      // The VIP Resource, and edge-api depends on it.
      const vipRef = `resource:default/vip-internal-lab-${request.address.replace(
        /\./g,
        '-',
      )}`;
      const vip = await waitFor('the vip entity', async () => {
        const e = await entity(vipRef);
        return e?.relations?.some(r => r.type === 'ownedBy') ? e : undefined;
      });
      expect(vip.spec).toMatchObject({
        type: 'vip',
        owner: 'group:default/team-payments',
        dependencyOf: ['component:default/edge-api'],
        dependsOn: ['resource:default/pool-internal-lab'],
      });
      const edge = await waitFor('edge-api to depend on the vip', async () => {
        const e = await entity('component:default/edge-api');
        return e?.relations?.some(
          r => r.type === 'dependsOn' && r.targetRef === vipRef,
        )
          ? e
          : undefined;
      });
      expect(edge.metadata.name).toBe('edge-api');
    },
    2 * WAIT_MS,
  );

  it(
    'internet template: the request waits for approval, no address yet',
    async () => {
      const run = await runTemplate('expose-service-internet', {
        ...edgeApi,
        service: 'edge-api-public',
        justification: 'customers pay through edge-api',
      });
      expect(run.status).toBe('completed');
      const text = run.output.text.find(
        (t: any) => t.title === 'Exposure',
      ).content;
      expect(text).toContain('**pending**');
      const { body } = await api('/exposure/requests?state=pending');
      expect(body.items).toEqual([
        expect.objectContaining({
          serviceName: 'edge-api-public',
          pool: 'edge-lab',
          state: 'pending',
        }),
      ]);
      expect(body.items[0].address).toBeUndefined();
    },
    2 * WAIT_MS,
  );

  it(
    'management template: a denied request fails the task with the reasons',
    async () => {
      const run = await runTemplate('expose-management-endpoint', {
        ...edgeApi,
        service: 'edge-api-admin',
        justification: 'admin UI',
      });
      expect(run.status).toBe('failed');
      expect(run.log).toContain('The exposure request was denied');
    },
    2 * WAIT_MS,
  );

  it(
    'temporary template: the lifetime becomes the expiry; one beyond the pool maximum is refused',
    async () => {
      const before = Date.now();
      const run = await runTemplate('expose-service-temporary', {
        ...edgeApi,
        service: 'edge-api-loadtest',
        lifetimeHours: 24,
        justification: 'load test of the new edge build',
      });
      expect(run.status).toBe('completed');
      const { body } = await api(`/exposure/requests?pool=temp-lab`);
      expect(body.items).toHaveLength(1);
      expect(body.items[0]).toMatchObject({
        state: 'active',
        serviceName: 'edge-api-loadtest',
      });
      const lifetime = Date.parse(body.items[0].expiresAt) - before;
      expect(lifetime).toBeGreaterThan(24 * 3600_000 - 60_000);
      expect(lifetime).toBeLessThan(24 * 3600_000 + 60_000);

      const tooLong = await runTemplate('expose-service-temporary', {
        ...edgeApi,
        service: 'edge-api-migration',
        lifetimeHours: 100,
        justification: 'a long migration',
      });
      expect(tooLong.status).toBe('failed');
      expect(tooLong.log).toContain('The exposure request was denied');
      expect(tooLong.log).toContain('72');
    },
    2 * WAIT_MS,
  );

  it(
    'a retried task reuses its request instead of asking twice',
    async () => {
      // A publish target with no publish action installed fails the task after
      // the request was made; the user then retries it.
      const values = {
        ...edgeApi,
        service: 'edge-api-retry',
        repoUrl: 'github.com?owner=portico&repo=deploy',
      };
      const first = await runTemplate('expose-service-internal', values);
      expect(first.status).toBe('failed');
      expect(first.log).toContain('publish:github:pull-request');

      const retried = await api(`/scaffolder/v2/tasks/${first.taskId}/retry`, {
        method: 'POST',
        body: {},
      });
      expect(retried.status).toBe(201);
      const second = await taskResult(first.taskId);
      expect(second.status).toBe('failed');
      // The templates start over on retry (their log shows the new run only):
      // the action ran again and reported the request of the first run.
      const firstId = /Request ([0-9a-f-]{36}) is active/.exec(first.log)?.[1];
      expect(firstId).toBeDefined();
      expect(second.log).toContain('Beginning step Request the exposure');
      expect(second.log).toContain(`Request ${firstId} is active`);

      const { body } = await api(
        `/exposure/requests?entityRef=${encodeURIComponent(
          'component:default/edge-api',
        )}`,
      );
      const forService = body.items.filter(
        (r: any) => r.serviceName === 'edge-api-retry',
      );
      expect(forService).toHaveLength(1);
      expect(forService[0]).toMatchObject({ id: firstId, state: 'active' });
    },
    2 * WAIT_MS,
  );

  it(
    'internal template in the editor dry run: a verdict, the manifest, nothing stored',
    async () => {
      const template = yaml.parse(
        readFileSync(catalogFile('templates/expose-internal.yaml'), 'utf8'),
      );
      const skeleton = readFileSync(
        catalogFile('templates/skeleton/service.yaml.njk'),
      );
      // The action reads the owner of edge-api from the catalog.
      await waitFor('edge-api in the catalog', () =>
        entity('component:default/edge-api'),
      );
      const before = await api('/exposure/requests');

      const { status, body } = await api('/scaffolder/v2/dry-run', {
        method: 'POST',
        body: {
          template,
          values: { ...edgeApi, service: 'edge-api-dry' },
          directoryContents: [
            {
              path: 'skeleton/service.yaml.njk',
              base64Content: skeleton.toString('base64'),
            },
          ],
        },
      });

      expect({ status, errors: body.errors ?? body.error }).toEqual({
        status: 200,
        errors: undefined,
      });
      const log = (body.log as any[]).map(l => l.body?.message).join('\n');
      expect(log).toContain('Dry run: pool internal-lab, verdict allow');
      const manifest = (body.directoryContents as any[]).find(
        f => f.path === 'manifest/service.yaml',
      );
      expect(
        yaml.parse(Buffer.from(manifest.base64Content, 'base64').toString())
          .metadata.annotations['metallb.universe.tf/address-pool'],
      ).toBe('internal-lab');
      const after = await api('/exposure/requests');
      expect(after.body.items).toHaveLength(before.body.items.length);
    },
    WAIT_MS,
  );
});
