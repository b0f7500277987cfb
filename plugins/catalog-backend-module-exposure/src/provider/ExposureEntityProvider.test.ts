import { mockServices } from '@backstage/backend-test-utils';
import type {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { describe, expect, it } from '@jest/globals';
import {
  demoAllocation,
  demoPool,
} from '../__testUtils__/standInExposurePlugin';
import type { ExposureSnapshot } from './exposureApiReader';
import { ExposureEntityProvider } from './ExposureEntityProvider';

function setup() {
  const state: ExposureSnapshot = {
    baseUrl: 'http://backend.example/api/exposure',
    pools: [demoPool()],
    allocations: [],
  };
  const mutations: EntityProviderMutation[] = [];
  let refuse = false;
  const connection: EntityProviderConnection = {
    applyMutation: async m => {
      if (refuse) {
        throw new Error('catalog database unavailable');
      }
      mutations.push(m);
    },
    refresh: async () => {},
  };
  let clock = 0;
  const provider = new ExposureEntityProvider({
    read: async () => structuredClone(state),
    logger: mockServices.logger.mock(),
    platformTeam: 'group:default/platform-team',
    fullSyncIntervalMs: 600_000,
    now: () => clock,
  });
  return {
    state,
    mutations,
    provider,
    connection,
    refuse: (r: boolean) => {
      refuse = r;
    },
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('ExposureEntityProvider', () => {
  it('sends a full mutation first, then only what changed', async () => {
    const t = setup();
    await t.provider.connect(t.connection);

    await t.provider.refresh();
    expect(t.mutations).toHaveLength(1);
    expect(t.mutations[0].type).toBe('full');

    await t.provider.refresh();
    expect(t.mutations).toHaveLength(1);

    t.state.allocations.push(demoAllocation());
    await t.provider.refresh();
    expect(t.mutations[1]).toEqual({
      type: 'delta',
      added: [
        expect.objectContaining({
          entity: expect.objectContaining({
            metadata: expect.objectContaining({
              name: 'vip-internal-east-192-0-2-10',
            }),
          }),
        }),
      ],
      removed: [],
    });

    t.state.allocations = [];
    await t.provider.refresh();
    expect(t.mutations[2]).toEqual({
      type: 'delta',
      added: [],
      removed: [{ entityRef: 'resource:default/vip-internal-east-192-0-2-10' }],
    });
  });

  it('goes back to a full mutation after the catalog refused one, and on schedule', async () => {
    const t = setup();
    await t.provider.connect(t.connection);
    await t.provider.refresh();

    t.state.allocations.push(demoAllocation());
    t.refuse(true);
    await expect(t.provider.refresh()).rejects.toThrow('unavailable');
    t.refuse(false);
    await t.provider.refresh();
    expect(t.mutations.map(m => m.type)).toEqual(['full', 'full']);

    t.advance(600_000);
    await t.provider.refresh();
    expect(t.mutations.map(m => m.type)).toEqual(['full', 'full', 'full']);
  });

  it('never runs two passes at once; calls during a pass share one more', async () => {
    const t = setup();
    let reads = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const provider = new ExposureEntityProvider({
      read: async () => {
        reads += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise(resolve => setTimeout(resolve, 20));
        inFlight -= 1;
        return structuredClone(t.state);
      },
      logger: mockServices.logger.mock(),
      platformTeam: 'group:default/platform-team',
      fullSyncIntervalMs: 600_000,
    });
    await provider.connect(t.connection);

    await Promise.all([
      provider.refresh(),
      provider.refresh(),
      provider.refresh(),
      provider.refresh(),
    ]);

    expect(maxInFlight).toBe(1);
    expect(reads).toBe(2);
  });

  it('applies announced changes as one debounced delta of the touched addresses', async () => {
    const t = setup();
    let wholeReads = 0;
    const partialReads: string[][] = [];
    const provider = new ExposureEntityProvider({
      read: async () => {
        wholeReads += 1;
        return structuredClone(t.state);
      },
      readAddresses: async addresses => {
        partialReads.push(addresses);
        return {
          ...structuredClone(t.state),
          allocations: t.state.allocations.filter(a =>
            addresses.includes(a.address),
          ),
        };
      },
      logger: mockServices.logger.mock(),
      platformTeam: 'group:default/platform-team',
      fullSyncIntervalMs: 600_000,
      debounceMs: 20,
    });
    await provider.connect(t.connection);
    // A change before anything was sent is a whole pass.
    t.state.allocations.push(demoAllocation({ address: '192.0.2.9' }));
    await provider.changed({ pool: 'internal-east', address: '192.0.2.9' });
    expect(t.mutations.map(m => m.type)).toEqual(['full']);
    expect(wholeReads).toBe(1);

    t.state.allocations.push(
      demoAllocation({ address: '192.0.2.10', requestId: 'r-10' }),
      demoAllocation({ address: '192.0.2.11', requestId: 'r-11' }),
    );
    const sent = await Promise.all([
      provider.changed({ pool: 'internal-east', address: '192.0.2.10' }),
      provider.changed({ pool: 'internal-east', address: '192.0.2.11' }),
    ]);
    expect(sent).toEqual([2, 2]);
    expect(partialReads).toEqual([['192.0.2.10', '192.0.2.11']]);
    expect(t.mutations[1]).toEqual({
      type: 'delta',
      added: [
        'vip-internal-east-192-0-2-10',
        'vip-internal-east-192-0-2-11',
      ].map(name =>
        expect.objectContaining({
          entity: expect.objectContaining({
            metadata: expect.objectContaining({ name }),
          }),
        }),
      ),
      removed: [],
    });

    t.state.allocations = t.state.allocations.filter(
      a => a.address !== '192.0.2.10',
    );
    await provider.changed({ pool: 'internal-east', address: '192.0.2.10' });
    expect(t.mutations[2]).toEqual({
      type: 'delta',
      added: [],
      removed: [{ entityRef: 'resource:default/vip-internal-east-192-0-2-10' }],
    });
    // A request still waiting has no address: nothing to read or send.
    await expect(provider.changed({ pool: 'internal-east' })).resolves.toBe(0);
    expect(wholeReads).toBe(1);
    expect(partialReads).toHaveLength(2);
    expect(t.mutations).toHaveLength(3);
  });

  it('refuses to run before the catalog connected it', async () => {
    await expect(setup().provider.refresh()).rejects.toThrow('not connected');
  });
});
