import { Entity } from '@backstage/catalog-model';
import { exposureRequest, mockExposureApi } from '../../__testUtils__/fixtures';
import { loadEntityExposures } from './useEntityExposures';

const a = exposureRequest({ id: 'a' });
const b = exposureRequest({ id: 'b' });
const c = exposureRequest({ id: 'c' });

function resource(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'x', annotations },
    spec: { type: 'vip' },
  };
}

describe('loadEntityExposures', () => {
  it("asks for a component's own requests", async () => {
    const api = mockExposureApi({ listRequests: jest.fn(async () => [a]) });
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'edge-api', namespace: 'payments' },
    };
    await expect(loadEntityExposures(api, entity)).resolves.toEqual([a]);
    expect(api.listRequests).toHaveBeenCalledWith({
      entityRef: 'component:payments/edge-api',
    });
  });

  it("lists every request of an ip-pool Resource's pool", async () => {
    const api = mockExposureApi({ listRequests: jest.fn(async () => [a, b]) });
    await expect(
      loadEntityExposures(
        api,
        resource({ 'portico.dev/pool': 'prod-external' }),
      ),
    ).resolves.toEqual([a, b]);
    expect(api.listRequests).toHaveBeenCalledWith({ pool: 'prod-external' });
  });

  it('keeps the requests that hold a vip Resource', async () => {
    const api = mockExposureApi({
      listRequests: jest.fn(async () => [a, b, c]),
    });
    await expect(
      loadEntityExposures(
        api,
        resource({
          'portico.dev/pool': 'prod-external',
          'portico.dev/request-ids': 'a, c',
        }),
      ),
    ).resolves.toEqual([a, c]);
  });
});
