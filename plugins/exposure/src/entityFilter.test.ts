import type { Entity } from '@backstage/catalog-model';
import { isExposureAvailable } from './entityFilter';

function entity(
  kind: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'x', annotations },
  };
}

describe('isExposureAvailable', () => {
  it('shows the exposure tab on components and on Portico pool and VIP resources', () => {
    expect(isExposureAvailable(entity('Component'))).toBe(true);
    expect(
      isExposureAvailable(
        entity('Resource', { 'portico.dev/pool': 'prod-external' }),
      ),
    ).toBe(true);
  });

  it('hides it elsewhere', () => {
    expect(isExposureAvailable(entity('Resource'))).toBe(false);
    expect(isExposureAvailable(entity('Group'))).toBe(false);
    expect(isExposureAvailable(entity('API'))).toBe(false);
  });
});
