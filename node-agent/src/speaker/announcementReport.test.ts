import type { PeerStatus } from '../bgp';
import type { L2Status } from '../l2';
import type { GrantInfo } from '../kube/grants';
import {
  ANNOUNCER_RENEW_MS,
  NodeAnnouncements,
  announcerPatches,
  nodeAnnouncements,
} from './announcementReport';

const l2 = (
  vips: Array<[string, string | null, boolean]>,
  conflict?: string,
): L2Status => ({
  node: 'node-a',
  ready: true,
  linkUp: true,
  healthyNodes: ['node-a', 'node-b'],
  vips: vips.map(([address, owner, announcing]) => ({
    address,
    owner,
    announcing,
    state: address === conflict ? 'conflict' : 'clear',
    interfaces: ['eth0'],
    ...(address === conflict
      ? {
          conflict: {
            address,
            interface: 'eth0',
            mac: '02:00:00:00:00:99',
            how: 'ARP reply',
            phase: 'probe' as const,
            at: '2026-11-25T09:59:00Z',
          },
        }
      : {}),
  })),
  failovers: [],
  conflicts: [],
});

const peer = (name: string, state: PeerStatus['state']): PeerStatus => ({
  name,
  peerAddress: '192.0.2.1',
  peerASN: 64500,
  state,
  uptimeSeconds: 1,
  routesSent: 1,
  routesDesired: 1,
  updatesSent: 1,
});

const grant = (name: string, addresses: string[]): GrantInfo => ({
  name,
  serviceKey: `shop/${name}`,
  addresses,
  pool: 'p',
  owner: 'group:default/a',
  requestId: name,
  allowSharedIP: false,
  createdAt: '2026-01-01T00:00:00Z',
});

describe('nodeAnnouncements', () => {
  it('counts L2 VIPs this node owns and BGP host routes of Established peers', () => {
    const { announced, conflicts, sessions } = nodeAnnouncements(
      'node-a',
      l2(
        [
          ['192.0.2.10', 'node-a', true],
          ['192.0.2.11', 'node-b', false],
          ['192.0.2.12', 'node-a', false],
        ],
        '192.0.2.12',
      ),
      new Map([
        ['up', [{ prefix: '203.0.113.5/32' }, { prefix: '203.0.113.0/24' }]],
        ['down', [{ prefix: '203.0.113.6/32' }]],
      ]),
      [peer('up', 'Established'), peer('down', 'Active')],
    );
    expect([...announced]).toEqual([
      ['192.0.2.10', 'l2'],
      ['203.0.113.5', 'bgp'],
    ]);
    expect([...conflicts.keys()]).toEqual(['192.0.2.12']);
    expect(sessions.map(x => `${x.peer}:${x.state}`)).toEqual([
      'up:Established',
      'down:Active',
    ]);
  });
});

const only = (
  announced: NodeAnnouncements['announced'],
): NodeAnnouncements => ({ announced, conflicts: new Map(), sessions: [] });

describe('announcerPatches', () => {
  it('reports an address another device holds, and BGP sessions with BGP', () => {
    const node: NodeAnnouncements = {
      announced: new Map([['203.0.113.5', 'bgp' as const]]),
      conflicts: new Map([
        ['192.0.2.12', { mac: '02:00:00:00:00:99', how: 'ARP reply', at: 't' }],
      ]),
      sessions: [
        {
          peer: 'r1',
          peerAddress: '192.0.2.1',
          state: 'Active',
          lastError: 'refused',
        },
      ],
    };
    const patches = announcerPatches(
      [grant('legacy', ['192.0.2.12']), grant('api', ['203.0.113.5'])],
      node,
      new Map(),
      0,
    );
    expect(patches.map(p => p.entry)).toEqual([
      expect.objectContaining({
        mode: 'l2',
        addresses: [],
        conflicts: [
          {
            address: '192.0.2.12',
            mac: '02:00:00:00:00:99',
            how: 'ARP reply',
            at: 't',
          },
        ],
      }),
      expect.objectContaining({
        mode: 'bgp',
        addresses: ['203.0.113.5'],
        bgpSessions: [
          expect.objectContaining({ peer: 'r1', lastError: 'refused' }),
        ],
      }),
    ]);
  });

  it('writes an entry where the node announces, null where it stopped, nothing twice', () => {
    const reported = new Map<string, { key: string; at: number }>();
    const grants = [grant('web', ['192.0.2.10']), grant('api', ['192.0.2.20'])];
    const l2Only = only(new Map([['192.0.2.10', 'l2' as const]]));
    const t0 = Date.parse('2026-11-25T10:00:00Z');
    const first = announcerPatches(grants, l2Only, reported, t0);
    expect(first.map(p => [p.grant, p.entry])).toEqual([
      [
        'web',
        {
          mode: 'l2',
          addresses: ['192.0.2.10'],
          renewedAt: '2026-11-25T10:00:00.000Z',
        },
      ],
      ['api', null],
    ]);
    first.forEach(p => reported.set(p.grant, { key: p.key, at: t0 }));

    expect(announcerPatches(grants, l2Only, reported, t0 + 1000)).toEqual([]);
    const after = announcerPatches(
      grants,
      only(new Map()),
      reported,
      t0 + 1000,
    );
    expect(after.map(p => [p.grant, p.entry])).toEqual([['web', null]]);
  });

  it('renews a live entry so readers can drop those of dead nodes', () => {
    const reported = new Map<string, { key: string; at: number }>();
    const grants = [grant('web', ['192.0.2.10'])];
    const l2Only = only(new Map([['192.0.2.10', 'l2' as const]]));
    const [first] = announcerPatches(grants, l2Only, reported, 0);
    reported.set('web', { key: first.key, at: 0 });
    expect(
      announcerPatches(grants, l2Only, reported, ANNOUNCER_RENEW_MS - 1),
    ).toEqual([]);
    const [renewal] = announcerPatches(
      grants,
      l2Only,
      reported,
      ANNOUNCER_RENEW_MS,
    );
    expect(renewal.entry?.renewedAt).toBe(
      new Date(ANNOUNCER_RENEW_MS).toISOString(),
    );
  });
});
