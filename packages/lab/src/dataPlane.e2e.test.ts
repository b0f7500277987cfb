/*
 * The lab's data plane without the portal: grants written into the cluster as the
 * portal writes them (as its ServiceAccount, the only writer admission allows), then everything the node agents, BIRD and the kernel must do
 * for the client to reach the VIPs. The portal path is lab.e2e.test.ts. Needs root.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './exec';
import { exposureGrant, labPoolObjects } from './kube/labPoolObjects';
import { Lab } from './Lab';
import {
  expectEcmpServed,
  expectFailover,
  expectL2Served,
  expectUngrantedPending,
  expectWithdrawn,
} from './testing/dataPlaneChecks';

jest.setTimeout(60_000);

const L2_VIP = '192.0.2.100';
const BGP_VIP = '203.0.113.10';
const PREVIEW_VIP = '192.0.2.120';

describe('the lab data plane: grants to reachable VIPs', () => {
  let lab: Lab;
  let l2Owner: string;

  beforeAll(async () => {
    lab = await Lab.up({
      dir: mkdtempSync(join(tmpdir(), 'portico-lab-dataplane-')),
      portal: false,
    });
    if (lab.missing.length > 0) {
      throw new Error(`the lab lacks parts: ${lab.missing.join('; ')}`);
    }
    await lab.cluster.apply(labPoolObjects());
    await waitFor(
      'BGP sessions with all three nodes',
      async () =>
        (await lab.router.establishedNodes()).length === 3 ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  }, 60_000);

  it('an L2 grant: the Service gets the address and one node answers ARP for it', async () => {
    await lab.cluster.applyGrant(
      exposureGrant('edge-api', 'edge-api', L2_VIP, 'prod-external'),
    );
    l2Owner = await expectL2Served(lab, 'edge-api', L2_VIP);
  });

  it('a BGP grant: the router holds one route per node with an endpoint (ECMP)', async () => {
    await lab.cluster.applyGrant(
      exposureGrant(
        'edge-api-internal',
        'edge-api-internal',
        BGP_VIP,
        'internal-bgp',
      ),
    );
    await expectEcmpServed(lab, 'edge-api-internal', BGP_VIP);
  });

  it("the owner's agent dies: the L2 VIP moves, the router withdraws that node's route", async () => {
    await expectFailover(lab, L2_VIP, l2Owner, BGP_VIP);
  });

  it('a grant deleted: the Service loses the address and the VIP stops answering', async () => {
    await lab.cluster.applyGrant(
      exposureGrant(
        'edge-api-preview',
        'edge-api-preview',
        PREVIEW_VIP,
        'preview',
      ),
    );
    await expectL2Served(lab, 'edge-api-preview', PREVIEW_VIP);
    await lab.cluster.request(
      'DELETE',
      '/apis/portico.dev/v1alpha1/exposuregrants/edge-api-preview',
    );
    await expectWithdrawn(lab, 'edge-api-preview', PREVIEW_VIP);
  });

  it('a LoadBalancer Service without a grant gets no address, and an Event', async () => {
    await expectUngrantedPending(lab, 'hand-made');
  });
});
