import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonValue } from '@backstage/types';
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from '@jest/globals';
import {
  StandInExposureApi,
  storedRequest,
} from '../__testUtils__/standInExposureApi';
import { createExposureRequestAction } from './exposureRequest';

const input = {
  entityRef: 'component:default/edge-api',
  owner: 'group:default/team-payments',
  cluster: 'prod-east',
  namespace: 'payments',
  service: 'edge-api',
  ports: [{ port: 443, protocol: 'TCP' as const, targetPort: 8443 }],
  intent: 'internal' as const,
  justification: 'reached from the office network',
};

describe('exposure:request', () => {
  let api: StandInExposureApi;
  const user = mockCredentials.user('user:default/alice');

  beforeAll(async () => {
    api = await StandInExposureApi.start();
  });
  afterAll(async () => {
    await api.stop();
  });
  beforeEach(() => {
    api.calls.length = 0;
  });

  function action(catalog = catalogServiceMock()) {
    return createExposureRequestAction({
      discovery: api.discovery(),
      auth: mockServices.auth(),
      catalog,
      appBaseUrl: 'http://portal.example/',
    });
  }

  function context(overrides: Record<string, unknown> = {}) {
    const ctx = createMockActionContext({ input });
    return {
      ...ctx,
      getInitiatorCredentials: async () => user,
      ...overrides,
    } as typeof ctx;
  }

  it('creates an allowed request on behalf of the user and outputs its address', async () => {
    api.answer(call => ({
      status: 201,
      body: storedRequest(call.body, { address: '192.0.2.10' }),
    }));
    const ctx = context();

    await action().handler(ctx);

    expect(api.calls).toHaveLength(1);
    const [call] = api.calls;
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/api/exposure/requests');
    expect(call.authorization).toBe(
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: user,
        targetPluginId: 'exposure',
      })}`,
    );
    expect(call.idempotencyKey).toBe(
      `scaffolder:${ctx.task.id}:prod-east/payments/edge-api`,
    );
    expect(call.body).toEqual({
      entityRef: 'component:default/edge-api',
      owner: 'group:default/team-payments',
      cluster: 'prod-east',
      namespace: 'payments',
      serviceName: 'edge-api',
      ports: [{ port: 443, protocol: 'TCP', targetPort: 8443 }],
      intent: 'internal',
      exposureKind: 'direct',
      justification: 'reached from the office network',
      dryRun: false,
    });
    expect(ctx.output).toHaveBeenCalledWith(
      'requestId',
      '5d0c2b8e-7a55-4c59-9a40-0a1f0c2f7e11',
    );
    expect(ctx.output).toHaveBeenCalledWith('state', 'active');
    expect(ctx.output).toHaveBeenCalledWith('pool', 'internal-east');
    expect(ctx.output).toHaveBeenCalledWith('address', '192.0.2.10');
    expect(ctx.output).toHaveBeenCalledWith(
      'link',
      'http://portal.example/catalog/default/component/edge-api/exposure?request=5d0c2b8e-7a55-4c59-9a40-0a1f0c2f7e11',
    );
  });

  it('leaves a request that needs approval pending, without an address', async () => {
    api.answer(call => ({
      status: 201,
      body: storedRequest(call.body, {
        state: 'pending',
        intent: 'production-external',
        reasons: [
          {
            code: 'approval-required',
            verdict: 'needs-approval',
            message:
              'pool prod-external requires approval by the platform team',
          },
        ],
      }),
    }));
    const ctx = context({
      input: { ...input, intent: 'production-external' },
    });

    await action().handler(ctx);

    expect(api.calls[0].body.intent).toBe('production-external');
    expect(ctx.output).toHaveBeenCalledWith('state', 'pending');
    expect(ctx.output).not.toHaveBeenCalledWith('address', expect.anything());
  });

  it('fails a denied request with the guardrail reasons', async () => {
    api.answer(() => ({
      status: 403,
      body: {
        error: {
          name: 'NotAllowedError',
          message:
            'request denied: namespace payments is not allowed in pool mgmt; port 443/TCP is not allowed in pool mgmt',
        },
        response: { statusCode: 403 },
      },
    }));
    const ctx = context({ input: { ...input, intent: 'management' } });

    await expect(action().handler(ctx)).rejects.toThrow(
      'The exposure request was denied: request denied: namespace payments is not allowed in pool mgmt; port 443/TCP is not allowed in pool mgmt',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('fails with the reason when the pool is exhausted (409)', async () => {
    api.answer(() => ({
      status: 409,
      body: {
        error: {
          name: 'ConflictError',
          message: 'pool internal-east has no free address',
        },
      },
    }));

    await expect(action().handler(context())).rejects.toThrow(
      'denied: pool internal-east has no free address',
    );
  });

  it('does not ask twice when a task is retried after the request was made', async () => {
    // The scaffolder keeps checkpoint results in the task state; a resumed
    // task sees the stored value instead of running the function again.
    const taskState = new Map<string, JsonValue>();
    const checkpoint = async (opts: {
      key: string;
      fn: () => Promise<JsonValue>;
    }) => {
      if (!taskState.has(opts.key)) {
        taskState.set(opts.key, await opts.fn());
      }
      return taskState.get(opts.key);
    };
    let created = 0;
    api.answer(call => {
      created += 1;
      return {
        status: 201,
        body: storedRequest(call.body, {
          id: `0000000${created}-0000-4000-8000-000000000000`,
          address: `192.0.2.${10 + created}`,
        }),
      };
    });

    const first = context({ checkpoint });
    await action().handler(first);
    const retry = context({ checkpoint });
    await action().handler(retry);

    expect(api.calls).toHaveLength(1);
    expect(retry.output).toHaveBeenCalledWith(
      'requestId',
      '00000001-0000-4000-8000-000000000000',
    );
    expect(retry.output).toHaveBeenCalledWith('address', '192.0.2.11');
  });

  it('asks for a verdict only in a dry run', async () => {
    api.answer(() => ({
      status: 200,
      body: {
        dryRun: true,
        pool: 'internal-east',
        verdict: 'allow',
        reasons: [],
      },
    }));
    const ctx = context({ isDryRun: true });

    await action().handler(ctx);

    expect(api.calls[0].body.dryRun).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith('state', 'allow');
    expect(ctx.output).not.toHaveBeenCalledWith('requestId', expect.anything());
  });

  it('fails a dry run the guardrails would deny', async () => {
    api.answer(() => ({
      status: 200,
      body: {
        dryRun: true,
        pool: 'temp-migrations',
        verdict: 'deny',
        reasons: [
          {
            code: 'lifetime-required',
            verdict: 'deny',
            message: 'pool temp-migrations needs an expiry',
          },
        ],
      },
    }));

    await expect(
      action().handler(
        context({ isDryRun: true, input: { ...input, intent: 'temporary' } }),
      ),
    ).rejects.toThrow(
      'would be denied: pool temp-migrations needs an expiry [lifetime-required]',
    );
  });

  it('turns a lifetime into an expiry and reads a missing owner from the catalog', async () => {
    api.answer(call => ({
      status: 201,
      body: storedRequest(call.body, { expiresAt: call.body.expiresAt }),
    }));
    const catalog = catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'edge-api', namespace: 'default' },
          spec: { owner: 'team-payments', type: 'service' },
        },
      ],
    });
    const { owner: _omitted, ...withoutOwner } = input;
    const before = Date.now();

    await action(catalog).handler(
      context({
        input: { ...withoutOwner, intent: 'temporary', lifetimeHours: 48 },
      }),
    );

    const body = api.calls[0].body;
    expect(body.owner).toBe('group:default/team-payments');
    const expiresIn = Date.parse(body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(48 * 3600_000 - 1000);
    expect(expiresIn).toBeLessThanOrEqual(48 * 3600_000 + 60_000);
  });

  it('refuses to guess an owner for an entity the catalog does not know', async () => {
    const { owner: _omitted, ...withoutOwner } = input;
    await expect(
      action(catalogServiceMock()).handler(context({ input: withoutOwner })),
    ).rejects.toThrow(
      'owner: not given, and component:default/edge-api is not in the catalog',
    );
    expect(api.calls).toHaveLength(0);
  });
});
