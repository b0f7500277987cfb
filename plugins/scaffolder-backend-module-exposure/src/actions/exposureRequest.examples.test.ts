import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yaml from 'yaml';
import {
  StandInExposureApi,
  storedRequest,
} from '../__testUtils__/standInExposureApi';
import { createExposureRequestAction } from './exposureRequest';
import { examples } from './exposureRequest.examples';

describe('exposure:request examples', () => {
  let api: StandInExposureApi;

  beforeAll(async () => {
    api = await StandInExposureApi.start();
    api.answer(call => ({
      status: 201,
      body: storedRequest(call.body, { address: '192.0.2.20' }),
    }));
  });
  afterAll(async () => {
    await api.stop();
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s: the API accepts what it sends',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('exposure:request');
      const action = createExposureRequestAction({
        discovery: api.discovery(),
        auth: mockServices.auth(),
        catalog: {
          getEntityByRef: async () => ({
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'edge-api', namespace: 'default' },
            spec: { owner: 'group:default/team-payments' },
          }),
        } as any,
      });
      const ctx = {
        ...createMockActionContext({ input: step.input }),
        getInitiatorCredentials: async () =>
          mockCredentials.user('user:default/alice'),
      };
      const before = api.calls.length;

      await action.handler(ctx);

      // The stand-in answers 400 to a body outside the API's schema.
      expect(api.calls).toHaveLength(before + 1);
      const sent = api.calls[before].body;
      expect(sent.serviceName).toBe(step.input.service);
      expect(sent.ports).toEqual(step.input.ports);
      expect(ctx.output).toHaveBeenCalledWith('state', 'active');
      expect(ctx.output).toHaveBeenCalledWith('address', '192.0.2.20');
    },
  );
});
