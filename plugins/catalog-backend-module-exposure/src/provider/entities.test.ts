import { makeValidator } from '@backstage/catalog-model';
import { describe, expect, it } from '@jest/globals';
import {
  demoAllocation,
  demoPool,
} from '../__testUtils__/standInExposurePlugin';
import { entitiesOf, poolEntityName, vipEntityName } from './entities';

const validator = makeValidator();

describe('entity names', () => {
  it.each([
    ['internal-east', '192.0.2.10', 'vip-internal-east-192-0-2-10'],
    ['v6', '2001:db8::10', 'vip-v6-2001-db8-0-10'],
    ['v6', '::1', 'vip-v6-0-1'],
    ['v6', '2001:db8:40:20::', 'vip-v6-2001-db8-40-20-0'],
  ])('pool %s, address %s → %s', (pool, address, name) => {
    expect(vipEntityName(pool, address)).toBe(name);
    expect(validator.isValidEntityName(name)).toBe(true);
  });

  it('keeps long names valid and distinct with a digest', () => {
    const pool = `p${'x'.repeat(60)}`;
    const a = vipEntityName(pool, '2001:db8:1:2:3:4:5:6');
    const b = vipEntityName(pool, '2001:db8:1:2:3:4:5:7');
    expect(a).not.toBe(b);
    for (const name of [a, b, poolEntityName(pool)]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(validator.isValidEntityName(name)).toBe(true);
    }
  });
});

describe('entitiesOf', () => {
  const snapshot = (allocations = [demoAllocation()]) => ({
    baseUrl: 'http://backend.example/api/exposure',
    pools: [demoPool({ allowSharing: true } as any)],
    allocations,
  });

  it('makes one vip for requests of one owner sharing an address', () => {
    const entities = entitiesOf(
      snapshot([
        demoAllocation({ shared: true }),
        demoAllocation({
          requestId: '00000002-0000-4000-8000-000000000000',
          entityRef: 'component:checkout',
          serviceName: 'checkout',
          ports: [{ port: 8443, protocol: 'TCP' }],
          shared: true,
          expiresAt: '2026-12-01T00:00:00.000Z',
        }),
      ]),
      'platform-team',
    );
    const vips = entities.filter(e => e.spec?.type === 'vip');
    expect(vips).toHaveLength(1);
    expect(vips[0].spec?.dependencyOf).toEqual([
      'component:default/checkout',
      'component:default/edge-api',
    ]);
    expect(vips[0].metadata.annotations).toMatchObject({
      'portico.dev/ports': '443/TCP,8443/TCP',
      'portico.dev/shared': 'true',
      'portico.dev/expires-at': '2026-12-01T00:00:00.000Z',
      'portico.dev/intent': 'internal',
      'portico.dev/vlan': '120',
    });
  });

  it('normalizes short refs and carries the location of the exposure API', () => {
    const [pool, vip] = entitiesOf(snapshot(), 'platform-team');
    expect(pool.spec?.owner).toBe('group:default/platform-team');
    expect(
      pool.metadata.annotations?.['backstage.io/managed-by-location'],
    ).toBe('url:http://backend.example/api/exposure/pools/internal-east');
    expect(vip.metadata.annotations?.['backstage.io/managed-by-location']).toBe(
      'url:http://backend.example/api/exposure/allocations?pool=internal-east',
    );
  });
});
