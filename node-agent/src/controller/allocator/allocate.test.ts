import { parseMetalLBConfig } from '../../kube/metallbConfig';
import { allocate } from './assign';
import type {
  AllocationInput,
  Decision,
  GovernanceMode,
  GrantInfo,
  ServiceRequest,
} from './types';

// Pure unit tests: the addresses below are data only.
function pools(...specs: Array<[string, Record<string, unknown>]>) {
  const config = parseMetalLBConfig({
    pools: specs.map(([name, spec], i) => ({
      metadata: {
        name,
        namespace: 'metallb-system',
        creationTimestamp: `2026-01-01T00:00:0${i}Z`,
      },
      spec,
    })),
    l2Advertisements: [],
    bgpAdvertisements: [],
    peers: [],
  });
  expect(config.problems).toEqual([]);
  return config.pools;
}

let clock = 0;
function svc(key: string, extra: Partial<ServiceRequest> = {}): ServiceRequest {
  const [namespace, name] = key.split('/');
  clock++;
  return {
    key,
    namespace,
    name,
    createdAt: `2026-02-01T00:00:${String(clock).padStart(2, '0')}Z`,
    labels: {},
    ports: [{ protocol: 'TCP', port: 443 }],
    families: ['IPv4'],
    familyPolicy: 'SingleStack',
    requestedIPs: [],
    current: [],
    ...extra,
  };
}

function grant(
  serviceKey: string,
  addresses: string[],
  extra: Partial<GrantInfo> = {},
) {
  return {
    name: `grant-${serviceKey.replace('/', '-')}`,
    serviceKey,
    addresses,
    pool: 'prod',
    owner: 'group:default/team-a',
    requestId: 'r1',
    allowSharedIP: false,
    createdAt: '2026-03-01T00:00:00Z',
    ...extra,
  } satisfies GrantInfo;
}

function run(
  mode: GovernanceMode,
  p: AllocationInput['pools'],
  services: ServiceRequest[],
  grants: GrantInfo[] = [],
  namespaceLabels = new Map<string, Record<string, string>>(),
) {
  return allocate({
    mode,
    pools: p,
    services,
    grants,
    namespaceLabels,
    now: new Date('2026-06-01T00:00:00Z'),
  }).decisions;
}

function summary(d: Decision | undefined): string {
  if (!d) return 'missing';
  return d.state === 'assigned' ? d.addresses.join(',') : `pending:${d.reason}`;
}

const prod = () =>
  pools(['prod', { addresses: ['10.40.20.120-10.40.20.139'] }]);

describe('allocate, audit mode (MetalLB behaviour)', () => {
  const cases: Array<{
    name: string;
    pools: () => AllocationInput['pools'];
    services: () => ServiceRequest[];
    want: Record<string, string>;
    namespaces?: Map<string, Record<string, string>>;
  }> = [
    {
      name: 'the seed example: pool annotation gets the first address',
      pools: prod,
      services: () => [svc('default/edge-api', { pool: 'prod' })],
      want: { 'default/edge-api': '10.40.20.120' },
    },
    {
      name: 'auto-assign hands out addresses in order',
      pools: prod,
      services: () => [svc('a/one'), svc('a/two')],
      want: { 'a/one': '10.40.20.120', 'a/two': '10.40.20.121' },
    },
    {
      name: 'newcomers fill the gaps between held addresses, in order',
      pools: prod,
      services: () => [
        svc('a/holder-1', { current: ['10.40.20.120'] }),
        svc('a/holder-2', { current: ['10.40.20.122'] }),
        svc('a/new-1'),
        svc('a/new-2'),
        svc('a/shared', {
          sharingKey: 'k',
          ports: [{ protocol: 'UDP', port: 53 }],
        }),
      ],
      want: {
        'a/new-1': '10.40.20.121',
        'a/new-2': '10.40.20.123',
        'a/shared': '10.40.20.124',
      },
    },
    {
      name: 'a requested address is honoured',
      pools: prod,
      services: () => [svc('a/one', { requestedIPs: ['10.40.20.130'] })],
      want: { 'a/one': '10.40.20.130' },
    },
    {
      name: 'a requested address outside every pool stays pending',
      pools: prod,
      services: () => [svc('a/one', { requestedIPs: ['10.40.21.1'] })],
      want: { 'a/one': 'pending:AddressNotInPool' },
    },
    {
      name: 'two Services asking for one address: the older wins',
      pools: prod,
      services: () => [
        svc('a/first', { requestedIPs: ['10.40.20.125'] }),
        svc('b/second', { requestedIPs: ['10.40.20.125'] }),
      ],
      want: { 'a/first': '10.40.20.125', 'b/second': 'pending:AddressInUse' },
    },
    {
      name: 'a Service holding the address keeps it against an older newcomer',
      pools: prod,
      services: () => [
        svc('b/newcomer', { requestedIPs: ['10.40.20.125'] }),
        svc('a/holder', { current: ['10.40.20.125'] }),
      ],
      want: {
        'a/holder': '10.40.20.125',
        'b/newcomer': 'pending:AddressInUse',
      },
    },
    {
      name: 'sharing with one key and different ports',
      pools: prod,
      services: () => [
        svc('a/https', { requestedIPs: ['10.40.20.125'], sharingKey: 'k' }),
        svc('a/dns', {
          requestedIPs: ['10.40.20.125'],
          sharingKey: 'k',
          ports: [{ protocol: 'UDP', port: 53 }],
        }),
      ],
      want: { 'a/https': '10.40.20.125', 'a/dns': '10.40.20.125' },
    },
    {
      name: 'sharing refused when ports clash',
      pools: prod,
      services: () => [
        svc('a/one', { requestedIPs: ['10.40.20.125'], sharingKey: 'k' }),
        svc('a/two', { requestedIPs: ['10.40.20.125'], sharingKey: 'k' }),
      ],
      want: { 'a/one': '10.40.20.125', 'a/two': 'pending:AddressInUse' },
    },
    {
      name: 'sharing refused with different keys',
      pools: prod,
      services: () => [
        svc('a/one', { requestedIPs: ['10.40.20.125'], sharingKey: 'k' }),
        svc('a/two', {
          requestedIPs: ['10.40.20.125'],
          sharingKey: 'other',
          ports: [{ protocol: 'TCP', port: 80 }],
        }),
      ],
      want: { 'a/one': '10.40.20.125', 'a/two': 'pending:AddressInUse' },
    },
    {
      name: 'automatic allocation joins a compatible shared address first',
      pools: prod,
      services: () => [
        svc('a/one', { sharingKey: 'k' }),
        svc('a/two', {
          sharingKey: 'k',
          ports: [{ protocol: 'TCP', port: 80 }],
        }),
        svc('a/three', { ports: [{ protocol: 'TCP', port: 22 }] }),
      ],
      want: {
        'a/one': '10.40.20.120',
        'a/two': '10.40.20.120',
        'a/three': '10.40.20.121',
      },
    },
    {
      name: 'externalTrafficPolicy Local sharing needs the same backends',
      pools: prod,
      services: () => [
        svc('a/one', {
          requestedIPs: ['10.40.20.125'],
          sharingKey: 'k',
          backendKey: 'x',
        }),
        svc('a/two', {
          requestedIPs: ['10.40.20.125'],
          sharingKey: 'k',
          backendKey: 'y',
          ports: [{ protocol: 'TCP', port: 80 }],
        }),
      ],
      want: { 'a/one': '10.40.20.125', 'a/two': 'pending:AddressInUse' },
    },
    {
      name: 'autoAssign: false pools are used only when named',
      pools: () =>
        pools(
          ['reserved', { addresses: ['10.40.30.0/30'], autoAssign: false }],
          ['general', { addresses: ['10.40.31.0/30'] }],
        ),
      services: () => [svc('a/auto'), svc('a/named', { pool: 'reserved' })],
      want: { 'a/auto': '10.40.31.0', 'a/named': '10.40.30.0' },
    },
    {
      name: 'avoidBuggyIPs skips .0 and .255',
      pools: () =>
        pools([
          'p',
          { addresses: ['10.40.30.255-10.40.31.1'], avoidBuggyIPs: true },
        ]),
      services: () => [svc('a/one'), svc('a/two')],
      want: { 'a/one': '10.40.31.1', 'a/two': 'pending:NoAddressAvailable' },
    },
    {
      name: 'pool exhausted leaves the rest pending',
      pools: () => pools(['tiny', { addresses: ['10.40.30.7/32'] }]),
      services: () => [svc('a/one'), svc('a/two')],
      want: { 'a/one': '10.40.30.7', 'a/two': 'pending:NoAddressAvailable' },
    },
    {
      name: 'unknown pool annotation',
      pools: prod,
      services: () => [svc('a/one', { pool: 'nope' })],
      want: { 'a/one': 'pending:UnknownPool' },
    },
    {
      name: 'serviceAllocation priority and namespaces',
      pools: () =>
        pools(
          [
            'low',
            {
              addresses: ['10.40.30.0/30'],
              serviceAllocation: { priority: 20 },
            },
          ],
          [
            'high',
            {
              addresses: ['10.40.31.0/30'],
              serviceAllocation: { priority: 10 },
            },
          ],
          [
            'team',
            {
              addresses: ['10.40.32.0/30'],
              serviceAllocation: { priority: 1, namespaces: ['team-a'] },
            },
          ],
        ),
      services: () => [svc('team-a/x'), svc('other/y')],
      want: { 'team-a/x': '10.40.32.0', 'other/y': '10.40.31.0' },
    },
    {
      name: 'serviceAllocation namespaceSelectors',
      pools: () =>
        pools([
          'labelled',
          {
            addresses: ['10.40.32.0/30'],
            serviceAllocation: {
              namespaceSelectors: [{ matchLabels: { tier: 'edge' } }],
            },
          },
        ]),
      namespaces: new Map([['edge', { tier: 'edge' }]]),
      services: () => [svc('edge/x'), svc('other/y')],
      want: { 'edge/x': '10.40.32.0', 'other/y': 'pending:NoAddressAvailable' },
    },
    {
      name: 'RequireDualStack takes one address of each family from one pool',
      pools: () =>
        pools(
          [
            'v4only',
            {
              addresses: ['10.40.30.0/30'],
              serviceAllocation: { priority: 1 },
            },
          ],
          ['dual', { addresses: ['10.40.31.0/30', 'fd00:40::/126'] }],
        ),
      services: () => [
        svc('a/dual', {
          familyPolicy: 'RequireDualStack',
          families: ['IPv6', 'IPv4'],
        }),
      ],
      want: { 'a/dual': 'fd00:40::,10.40.31.0' },
    },
    {
      name: 'PreferDualStack settles for one family',
      pools: () => pools(['v4only', { addresses: ['10.40.30.0/30'] }]),
      services: () => [svc('a/pref', { familyPolicy: 'PreferDualStack' })],
      want: { 'a/pref': '10.40.30.0' },
    },
    {
      name: 'an IPv6 single-stack Service gets an IPv6 address',
      pools: () =>
        pools(['dual', { addresses: ['10.40.31.0/30', 'fd00:40::/126'] }]),
      services: () => [svc('a/six', { families: ['IPv6'] })],
      want: { 'a/six': 'fd00:40::' },
    },
    {
      name: 'an address outside the changed pool is given up and replaced',
      pools: () =>
        pools(['prod', { addresses: ['10.40.20.130-10.40.20.139'] }]),
      services: () => [svc('a/one', { current: ['10.40.20.120'] })],
      want: { 'a/one': '10.40.20.130' },
    },
    {
      name: 'unreadable annotations leave the Service pending',
      pools: prod,
      services: () => [svc('a/one', { invalid: 'annotations disagree' })],
      want: { 'a/one': 'pending:InvalidRequest' },
    },
  ];

  it.each(cases)('$name', c => {
    const decisions = run('audit', c.pools(), c.services(), [], c.namespaces);
    const got = Object.fromEntries(
      Object.keys(c.want).map(k => [k, summary(decisions.get(k))]),
    );
    expect(got).toEqual(c.want);
  });

  it('marks assignments that no grant covers, and uses the grant when there is one', () => {
    const d = run(
      'audit',
      prod(),
      [svc('a/granted'), svc('a/free')],
      [grant('a/granted', ['10.40.20.133'])],
    );
    expect(d.get('a/granted')).toMatchObject({
      state: 'assigned',
      addresses: ['10.40.20.133'],
      grant: 'grant-a-granted',
    });
    expect(d.get('a/free')).toEqual({
      state: 'assigned',
      addresses: ['10.40.20.120'],
      pool: 'prod',
    });
  });

  it('is stable: feeding the result back in changes nothing', () => {
    const services = [
      svc('a/one'),
      svc('a/two', { sharingKey: 'k' }),
      svc('b/three'),
    ];
    const first = run('audit', prod(), services);
    const again = run(
      'audit',
      prod(),
      services.map(s => {
        const d = first.get(s.key)!;
        return { ...s, current: d.state === 'assigned' ? d.addresses : [] };
      }),
    );
    expect([...again].map(([k, d]) => [k, summary(d)])).toEqual(
      [...first].map(([k, d]) => [k, summary(d)]),
    );
  });
});

describe('allocate, enforce mode', () => {
  const cases: Array<{
    name: string;
    services: () => ServiceRequest[];
    grants: GrantInfo[];
    want: Record<string, string>;
  }> = [
    {
      name: 'no grant: pending',
      services: () => [svc('default/edge-api', { pool: 'prod' })],
      grants: [],
      want: { 'default/edge-api': 'pending:NotGranted' },
    },
    {
      name: 'a grant gives exactly its address',
      services: () => [svc('default/edge-api', { pool: 'prod' })],
      grants: [grant('default/edge-api', ['10.40.20.127'])],
      want: { 'default/edge-api': '10.40.20.127' },
    },
    {
      name: 'a grant for another Service does not count',
      services: () => [svc('default/edge-api')],
      grants: [grant('default/other', ['10.40.20.127'])],
      want: { 'default/edge-api': 'pending:NotGranted' },
    },
    {
      name: 'a grant address outside its pool is refused',
      services: () => [svc('default/edge-api')],
      grants: [grant('default/edge-api', ['10.40.21.5'])],
      want: { 'default/edge-api': 'pending:AddressNotInPool' },
    },
    {
      name: 'a grant naming an unknown pool is refused',
      services: () => [svc('default/edge-api')],
      grants: [grant('default/edge-api', ['10.40.20.127'], { pool: 'gone' })],
      want: { 'default/edge-api': 'pending:GrantInvalid' },
    },
    {
      name: 'an expired grant is refused',
      services: () => [svc('default/edge-api', { current: ['10.40.20.127'] })],
      grants: [
        grant('default/edge-api', ['10.40.20.127'], {
          expiresAt: '2026-05-31T23:59:59Z',
        }),
      ],
      want: { 'default/edge-api': 'pending:GrantExpired' },
    },
    {
      name: 'a grant not yet expired is honoured',
      services: () => [svc('default/edge-api')],
      grants: [
        grant('default/edge-api', ['10.40.20.127'], {
          expiresAt: '2026-06-01T00:00:01Z',
        }),
      ],
      want: { 'default/edge-api': '10.40.20.127' },
    },
    {
      name: 'the Service asking for another address than granted stays pending',
      services: () => [
        svc('default/edge-api', { requestedIPs: ['10.40.20.128'] }),
      ],
      grants: [grant('default/edge-api', ['10.40.20.127'])],
      want: { 'default/edge-api': 'pending:GrantMismatch' },
    },
    {
      name: 'two grants for one address: the holder keeps it',
      services: () => [
        svc('b/newer'),
        svc('a/holder', { current: ['10.40.20.127'] }),
      ],
      grants: [
        grant('a/holder', ['10.40.20.127']),
        grant('b/newer', ['10.40.20.127']),
      ],
      want: { 'a/holder': '10.40.20.127', 'b/newer': 'pending:AddressInUse' },
    },
    {
      name: 'shared grants of one owner with different ports share',
      services: () => [
        svc('a/web'),
        svc('a/dns', { ports: [{ protocol: 'UDP', port: 53 }] }),
      ],
      grants: [
        grant('a/web', ['10.40.20.127'], { allowSharedIP: true }),
        grant('a/dns', ['10.40.20.127'], { allowSharedIP: true }),
      ],
      want: { 'a/web': '10.40.20.127', 'a/dns': '10.40.20.127' },
    },
    {
      name: 'the MetalLB sharing annotation alone does not let grants share',
      services: () => [
        svc('a/web', { sharingKey: 'k' }),
        svc('a/dns', {
          sharingKey: 'k',
          ports: [{ protocol: 'UDP', port: 53 }],
        }),
      ],
      grants: [
        grant('a/web', ['10.40.20.127']),
        grant('a/dns', ['10.40.20.127']),
      ],
      want: { 'a/web': '10.40.20.127', 'a/dns': 'pending:AddressInUse' },
    },
    {
      name: 'a single-stack IPv4 Service takes the IPv4 half of a dual grant',
      services: () => [svc('a/web')],
      grants: [grant('a/web', ['10.40.50.1', 'fd00:40::5'], { pool: 'dual' })],
      want: { 'a/web': '10.40.50.1' },
    },
  ];

  it.each(cases)('$name', c => {
    const p = pools(
      ['prod', { addresses: ['10.40.20.120-10.40.20.139'] }],
      ['dual', { addresses: ['10.40.50.0/30', 'fd00:40::/64'] }],
    );
    const decisions = run('enforce', p, c.services(), c.grants);
    const got = Object.fromEntries(
      Object.keys(c.want).map(k => [k, summary(decisions.get(k))]),
    );
    expect(got).toEqual(c.want);
  });

  it('explains how to get an address when there is no grant', () => {
    const d = run('enforce', prod(), [svc('default/edge-api')]).get(
      'default/edge-api',
    );
    expect(d).toMatchObject({ state: 'pending', reason: 'NotGranted' });
    expect(d?.state === 'pending' && d.message).toMatch(/request/i);
  });
});
