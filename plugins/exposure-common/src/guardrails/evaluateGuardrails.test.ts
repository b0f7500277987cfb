import { describe, expect, it } from '@jest/globals';
import { exposureConfigSchema } from '../schema/config';
import { sampleConfig } from '../schema/testConfig';
import { GuardrailInput, evaluateGuardrails } from './evaluateGuardrails';

const now = new Date('2026-11-25T12:00:00Z');
const config = exposureConfigSchema.parse(sampleConfig());
const [segment] = config.segments;
const [prod, temp] = config.pools;

function input(overrides: Partial<GuardrailInput> = {}): GuardrailInput {
  return {
    request: {
      owner: 'group:default/team-payments',
      cluster: 'demo',
      namespace: 'payments',
      ports: [{ port: 443, protocol: 'TCP' }],
    },
    pool: prod,
    segment,
    usage: { free: 20n, ownerHeld: 0 },
    now,
    ...overrides,
  };
}

function codes(i: GuardrailInput) {
  const result = evaluateGuardrails(i);
  return { verdict: result.verdict, codes: result.reasons.map(r => r.code) };
}

describe('evaluateGuardrails', () => {
  it('needs approval in a production-external pool', () => {
    const result = evaluateGuardrails(input());
    expect(result.verdict).toBe('needs-approval');
    expect(result.reasons[0].message).toBe(
      'pool "prod-external" (production-external) needs approval by the platform team',
    );
  });

  it('allows in an automatic pool', () => {
    const expiresAt = new Date(now.getTime() + 3_600_000).toISOString();
    expect(
      evaluateGuardrails(
        input({ pool: temp, request: { ...input().request, expiresAt } }),
      ),
    ).toEqual({ verdict: 'allow', reasons: [] });
  });

  it('denies an owner the pool is not for', () => {
    const r = evaluateGuardrails(
      input({ request: { ...input().request, owner: 'group:default/team-x' } }),
    );
    expect(r.verdict).toBe('deny');
    expect(r.reasons).toEqual([
      {
        code: 'owner-not-allowed',
        verdict: 'deny',
        message:
          'group:default/team-x may not use the production-external pool "prod-external"; it is reserved for group:default/team-payments, group:default/team-search',
      },
    ]);
  });

  it('denies a port and a protocol not allowed', () => {
    expect(
      codes(
        input({
          request: {
            ...input().request,
            ports: [
              { port: 22, protocol: 'TCP' },
              { port: 443, protocol: 'UDP' },
            ],
          },
        }),
      ),
    ).toEqual({
      verdict: 'deny',
      codes: ['port-not-allowed', 'protocol-not-allowed'],
    });
  });

  it('accepts ports inside an allowed port range', () => {
    const pool = { ...temp, policy: { ...temp.policy, ports: ['8000-8100'] } };
    const expiresAt = new Date(now.getTime() + 60_000).toISOString();
    const req = { ...input().request, expiresAt };
    expect(
      codes(
        input({
          pool,
          request: { ...req, ports: [{ port: 8080, protocol: 'TCP' }] },
        }),
      ),
    ).toEqual({ verdict: 'allow', codes: [] });
    expect(
      codes(
        input({
          pool,
          request: { ...req, ports: [{ port: 8101, protocol: 'TCP' }] },
        }),
      ),
    ).toEqual({ verdict: 'deny', codes: ['port-not-allowed'] });
  });

  it('denies when the team quota is reached', () => {
    const pool = { ...prod, policy: { ...prod.policy, quotaPerTeam: 2 } };
    const r = evaluateGuardrails(
      input({ pool, usage: { free: 5n, ownerHeld: 2 } }),
    );
    expect(r.reasons.map(x => x.message)).toEqual([
      'group:default/team-payments already holds 2 of its quota of 2 in pool "prod-external"',
    ]);
  });

  it('denies when the pool is exhausted', () => {
    expect(codes(input({ usage: { free: 0n, ownerHeld: 0 } }))).toEqual({
      verdict: 'deny',
      codes: ['pool-exhausted'],
    });
  });

  it('lets a shareable address through an exhausted pool', () => {
    expect(
      codes(
        input({
          request: { ...input().request, address: '10.40.20.121' },
          usage: { free: 0n, ownerHeld: 1, addressShareable: true },
        }),
      ).verdict,
    ).toBe('needs-approval');
  });

  it('denies a lifetime longer than the pool allows, or none at all', () => {
    const tooLong = new Date(now.getTime() + 73 * 3_600_000).toISOString();
    const r = evaluateGuardrails(
      input({
        pool: temp,
        request: { ...input().request, expiresAt: tooLong },
      }),
    );
    expect(r.reasons).toEqual([
      {
        code: 'lifetime-too-long',
        verdict: 'deny',
        message: `pool "temp" allows at most 72 h; the requested expiry ${tooLong} is 73.0 h away`,
      },
    ]);
    expect(codes(input({ pool: temp }))).toEqual({
      verdict: 'deny',
      codes: ['lifetime-required'],
    });
    const past = new Date(now.getTime() - 1000).toISOString();
    expect(
      codes(
        input({ pool: temp, request: { ...input().request, expiresAt: past } }),
      ),
    ).toEqual({ verdict: 'deny', codes: ['expiry-in-past'] });
  });

  it('denies a namespace not allowed and a cluster not on the segment', () => {
    const pool = {
      ...prod,
      policy: { ...prod.policy, namespaces: ['payments'] },
    };
    expect(
      codes(
        input({
          pool,
          request: {
            ...input().request,
            namespace: 'default',
            cluster: 'other',
          },
        }),
      ),
    ).toEqual({
      verdict: 'deny',
      codes: ['namespace-not-allowed', 'cluster-not-on-segment'],
    });
  });

  it('denies a requested address outside the pool or unavailable', () => {
    expect(
      codes(input({ request: { ...input().request, address: '10.40.20.50' } })),
    ).toEqual({ verdict: 'deny', codes: ['address-not-in-pool'] });
    expect(
      codes(
        input({
          request: { ...input().request, address: '10.40.20.121' },
          usage: {
            free: 3n,
            ownerHeld: 0,
            addressUnavailable: 'taken by team-search',
          },
        }),
      ),
    ).toEqual({ verdict: 'deny', codes: ['address-unavailable'] });
  });

  it('reports every reason at once', () => {
    const r = evaluateGuardrails(
      input({
        request: {
          owner: 'group:default/team-x',
          cluster: 'demo',
          namespace: 'x',
          ports: [{ port: 22, protocol: 'TCP' }],
        },
        usage: { free: 0n, ownerHeld: 0 },
      }),
    );
    expect(r.reasons.map(x => x.code)).toEqual([
      'owner-not-allowed',
      'port-not-allowed',
      'pool-exhausted',
    ]);
  });
});
