import { describe, expect, it } from '@jest/globals';
import { exposureConfigSchema, formatIssuePath } from './config';
import { sampleConfig } from './testConfig';

function problems(config: unknown): string[] {
  const result = exposureConfigSchema.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map(
    i => `${formatIssuePath('exposure', i.path)}: ${i.message}`,
  );
}

describe('exposureConfigSchema', () => {
  it('accepts the sample config and fills defaults', () => {
    const parsed = exposureConfigSchema.parse(sampleConfig());
    expect(parsed.pools[0].policy.owners).toEqual([
      'group:default/team-payments',
      'group:default/team-search',
    ]);
    expect(parsed.pools[1].advertisement).toEqual({ type: 'l2' });
    expect(parsed.segments[0].bgpPeers[0].port).toBe(179);
  });

  it('rejects a pool range outside its segment', () => {
    const c = sampleConfig();
    c.pools[0].addresses = ['10.40.21.10-10.40.21.20'];
    expect(problems(c)).toEqual([
      'exposure.pools[0].addresses[0]: range 10.40.21.10-10.40.21.20 is outside segment "dc1-edge" (10.40.20.0/24, 2001:db8:40:20::/64)',
    ]);
  });

  it('rejects two pools overlapping', () => {
    const c = sampleConfig();
    c.pools[1].addresses = ['10.40.20.130-10.40.20.140'];
    expect(problems(c)).toEqual([
      'exposure.pools[1].addresses[0]: range 10.40.20.130-10.40.20.140 overlaps 10.40.20.120-10.40.20.139 of pool "prod-external"',
    ]);
  });

  it('rejects a range whose end is before its start', () => {
    const c = sampleConfig();
    c.pools[0].addresses = ['10.40.20.139-10.40.20.120'];
    expect(problems(c)).toEqual([
      'exposure.pools[0].addresses[0]: "10.40.20.139-10.40.20.120" ends before it starts',
    ]);
  });

  it('rejects mixed families in one range', () => {
    const c = sampleConfig();
    c.pools[0].addresses = ['10.40.20.120-2001:db8:40:20::1'];
    expect(problems(c)).toEqual([
      'exposure.pools[0].addresses[0]: "10.40.20.120-2001:db8:40:20::1" mixes IPv4 and IPv6 addresses',
    ]);
  });

  it("rejects a reserved address inside a pool's only range", () => {
    const c = sampleConfig();
    c.segments[0].reserved.push('10.40.20.125');
    expect(problems(c)).toEqual([
      'exposure.pools[0].addresses[0]: range 10.40.20.120-10.40.20.139 contains reserved address 10.40.20.125 (segments[0].reserved[2] = 10.40.20.125)',
    ]);
  });

  it('rejects a temporary pool with no maximum lifetime', () => {
    const c = sampleConfig();
    delete c.pools[1].policy.maxLifetimeHours;
    expect(problems(c)).toEqual([
      'exposure.pools[1].policy.maxLifetimeHours: a temporary pool must set a maximum lifetime',
    ]);
  });

  it('rejects an unknown segment', () => {
    const c = sampleConfig();
    c.pools[0].segment = 'dc9';
    expect(problems(c)).toEqual([
      'exposure.pools[0].segment: unknown segment "dc9" (known: dc1-edge)',
    ]);
  });

  it('rejects malformed values naming the key', () => {
    const c = sampleConfig();
    c.segments[0].cidrs = ['10.40.20.0/33'];
    c.pools[0].intent = 'public';
    c.pools[0].policy.ports = [0];
    expect(problems(c)).toEqual(
      expect.arrayContaining([
        'exposure.segments[0].cidrs[0]: "10.40.20.0/33" has prefix length 33, more than 32 for IPv4',
        expect.stringMatching(
          /^exposure\.pools\[0\]\.intent: Invalid enum value/,
        ),
        expect.stringMatching(/^exposure\.pools\[0\]\.policy\.ports\[0\]/),
      ]),
    );
  });

  it('rejects an advertisement mode the segment does not allow', () => {
    const c = sampleConfig();
    c.segments[0].modes = ['bgp'];
    expect(problems(c)).toEqual(
      expect.arrayContaining([
        'exposure.pools[0].advertisement.type: segment "dc1-edge" does not allow l2 (allowed: bgp)',
      ]),
    );
  });

  it('rejects duplicate names and unknown keys', () => {
    const c = sampleConfig();
    c.pools[1].name = 'prod-external';
    c.pools[1].addresses = ['10.40.20.160/28'];
    c.pools[0].colour = 'red';
    expect(problems(c)).toEqual(
      expect.arrayContaining([
        'exposure.pools[1].name: duplicate pool "prod-external"',
        expect.stringMatching(
          /^exposure\.pools\[0\]: Unrecognized key.*colour/,
        ),
      ]),
    );
  });
});
