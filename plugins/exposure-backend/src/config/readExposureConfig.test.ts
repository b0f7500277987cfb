import { describe, expect, it, jest } from '@jest/globals';
import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { rawTestConfig } from '../__testUtils__/fixtures';
import { exposurePlugin } from '../plugin';
import {
  ExposureConfigError,
  readExposureConfig,
} from '@portico/plugin-exposure-node';

jest.setTimeout(30_000);

function withPool(patch: object, index = 0) {
  const config = structuredClone(rawTestConfig) as any;
  config.pools[index] = { ...config.pools[index], ...patch };
  return new ConfigReader({ exposure: config });
}

describe('readExposureConfig', () => {
  it("accepts the repository's demo app-config.yaml", () => {
    const appConfig = parse(
      readFileSync(join(__dirname, '../../../../app-config.yaml'), 'utf8'),
    );
    const config = readExposureConfig(new ConfigReader(appConfig));
    expect(config.pools.map(p => [p.name, p.intent])).toEqual([
      ['prod-external', 'production-external'],
      ['internal-services', 'internal'],
      ['internal-v6', 'internal'],
      ['temporary', 'temporary'],
      ['management', 'management'],
    ]);
    expect(config.pools[0].addresses).toEqual(['10.40.20.120-10.40.20.139']);
  });

  it('lists every problem with its config path', () => {
    const config = structuredClone(rawTestConfig) as any;
    config.pools[0].addresses = ['10.40.21.1-10.40.21.5'];
    config.pools[2].policy = { approval: 'automatic' };
    let error: unknown;
    try {
      readExposureConfig(new ConfigReader({ exposure: config }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExposureConfigError);
    expect((error as Error).message).toBe(
      [
        'Invalid exposure configuration:',
        '  - exposure.pools[0].addresses[0]: range 10.40.21.1-10.40.21.5 is outside segment "dc1-edge" (10.40.20.0/24, 2001:db8:40:20::/64)',
        '  - exposure.pools[2].policy.maxLifetimeHours: a temporary pool must set a maximum lifetime',
      ].join('\n'),
    );
  });

  it.each([
    [
      { addresses: ['10.40.20.1-10.40.20.200'] },
      /exposure\.pools\[0\]\.addresses\[0\]: range .* contains reserved address 10\.40\.20\.1/,
    ],
    [
      { addresses: ['10.40.20.201'] },
      /exposure\.pools\[2\]\.addresses\[0\]: range 10\.40\.20\.200-10\.40\.20\.203 overlaps 10\.40\.20\.201 of pool "prod-external"/,
    ],
    [{ addresses: ['10.40.20.139-10.40.20.120'] }, /ends before it starts/],
    [{ addresses: ['10.40.20.120-2001:db8:40:20::9'] }, /mixes IPv4 and IPv6/],
    [
      { segment: 'nowhere' },
      /exposure\.pools\[0\]\.segment: unknown segment "nowhere"/,
    ],
  ])('rejects %j', (patch, message) => {
    expect(() => readExposureConfig(withPool(patch))).toThrow(message);
  });

  it('stops the backend at startup on a bad config', async () => {
    const config = structuredClone(rawTestConfig) as any;
    config.pools[0].segment = 'nowhere';
    await expect(
      startTestBackend({
        features: [
          exposurePlugin,
          mockServices.rootConfig.factory({ data: { exposure: config } }),
        ],
      }),
    ).rejects.toThrow(
      /exposure\.pools\[0\]\.segment: unknown segment "nowhere"/,
    );
  });
});
