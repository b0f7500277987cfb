import { systemClock } from '../kube/clock';
import { buildSnapshot } from '../kube/snapshot';
import { silentLogger } from '../logging';
import { AddressController } from './addressController';

// Pure unit test: addresses are data only.
const snapshot = buildSnapshot({
  services: [
    {
      metadata: { name: 'web', namespace: 'apps' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    },
  ],
  endpointSlices: [],
  nodes: [],
  namespaces: [],
  leases: [],
  grants: [],
  pools: [
    {
      metadata: { name: 'p', namespace: 'metallb-system' },
      spec: { addresses: ['192.0.2.0/30'] },
    },
  ],
  l2Advertisements: [],
  bgpAdvertisements: [],
  peers: [],
});

describe('AddressController', () => {
  it('stops promptly when shutdown comes in the middle of a pass', async () => {
    const stop = new AbortController();
    const writes: string[][] = [];
    const controller = new AddressController({
      view: {
        snapshot: () => snapshot,
        onChange: () => () => {},
        whenSynced: async () => {},
      },
      writer: {
        serviceIngress: async (_ns, _name, addresses) => {
          writes.push(addresses);
          stop.abort(); // SIGTERM while the pass is writing
        },
        grantConditions: async () => {},
        serviceAnnotations: async () => {},
      },
      events: { record: () => {} },
      mode: 'audit',
      loadBalancerClass: 'portico.dev/load-balancer',
      clock: systemClock,
      logger: silentLogger,
      resyncMs: 600_000,
    });
    const done = controller.run(stop.signal);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      done.then(() => 'stopped'),
      new Promise(resolve => {
        timer = setTimeout(() => resolve('still running'), 5_000);
      }),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe('stopped');
    expect(writes).toEqual([['192.0.2.0']]);
  });
});
