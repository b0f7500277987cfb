/*
 * The whole path from a request to a reachable VIP, on the lab (README.md): the
 * steps run in order on one lab, each building on the one before. Needs root.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from './Lab';
import { ExposureRequest, requestBody, runTemplate } from './labSteps';
import {
  WORKLOAD_NODES,
  expectEcmpServed,
  expectFailover,
  expectL2Served,
  expectUngrantedPending,
  expectWithdrawn,
} from './testing/dataPlaneChecks';
import { waitFor } from './exec';
import { APP_NAMESPACE } from './kube/workloadObjects';

jest.setTimeout(120_000);

/** catalog/templates/expose-internet.yaml: the production-external template. */
const INTERNET_TEMPLATE = 'expose-service-internet';

describe('the lab: from a request to a reachable VIP', () => {
  let lab: Lab;
  /** Filled by the steps, read by the later ones. */
  const state: { l2Vip?: string; l2Owner?: string; bgpVip?: string } = {};

  beforeAll(async () => {
    // Lab.up removes whatever it built when it fails half-way.
    lab = await Lab.up({
      dir: mkdtempSync(join(tmpdir(), 'portico-lab-e2e-')),
    });
  }, 300_000);

  afterAll(async () => {
    await lab?.down();
  }, 60_000);

  it('1. an app-team member runs the production-external template for edge-api: it needs approval; a platform admin approves it', async () => {
    await waitFor(
      'the catalog to hold the template',
      () =>
        lab
          .as('alice')
          .get(
            `/api/catalog/entities/by-name/template/default/${INTERNET_TEMPLATE}`,
          )
          .catch(() => undefined),
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    const task = await runTemplate(
      lab,
      'alice',
      `template:default/${INTERNET_TEMPLATE}`,
      {
        component: 'component:default/edge-api',
        cluster: 'lab',
        namespace: APP_NAMESPACE,
        service: 'edge-api',
        ports: [{ port: 80, protocol: 'TCP' }],
        justification: 'Portico lab: the public edge of payments',
      },
    );
    expect(task.status).toBe('completed');

    const { items } = await lab
      .as('alice')
      .get<{ items: ExposureRequest[] }>(
        '/api/exposure/requests?entityRef=component:default/edge-api',
      );
    expect(items.map(r => `${r.serviceName} ${r.state}`)).toEqual([
      'edge-api pending',
    ]);
    const pending = items[0];
    expect(pending.pool).toBe('prod-external');
    expect(pending.reasons.map(r => r.verdict)).toContain('needs-approval');

    // Nobody approves their own request.
    await expect(
      lab.as('alice').post(`/api/exposure/requests/${pending.id}/approve`),
    ).rejects.toThrow(/403/);

    const approved = await lab
      .as('pat')
      .post<ExposureRequest>(`/api/exposure/requests/${pending.id}/approve`, {
        comment: 'lab',
      });
    expect(approved.state).toBe('active');
    expect(approved.address).toMatch(/^192\.0\.2\.(1[01][0-9])$/);
    state.l2Vip = approved.address;
  }, 120_000);

  it('2a. the grant reaches the cluster, the Service gets its address and the L2 owner answers for it', async () => {
    const vip = state.l2Vip!;
    const grant = await waitFor(
      'an ExposureGrant for payments/edge-api',
      async () => (await grantsFor(lab, 'edge-api'))[0],
      { timeoutMs: 20_000 },
    );
    expect((grant.spec as { addresses: string[] }).addresses).toEqual([vip]);
    state.l2Owner = await expectL2Served(lab, 'edge-api', vip);
  });

  it('2b. the VIP shows in the catalog, owned by the team', async () => {
    const vip = state.l2Vip!;
    // The catalog shows the VIP as a Resource owned by the team, next to edge-api.
    const vipEntity = await waitFor(
      `a vip Resource for ${vip} in the catalog`,
      async () => {
        const { items } = await lab.as('alice').get<{
          items: Array<{
            metadata: { name: string };
            spec: { owner: string };
          }>;
        }>(`/api/catalog/entities/by-query?filter=kind=resource,spec.type=vip,metadata.annotations.portico.dev/address=${vip}`);
        return items[0];
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    expect(vipEntity.spec.owner).toBe('group:default/team-payments');
  });

  it('2c. the admin API shows the VIP as announced by the owner node', async () => {
    const exposure = await waitFor(
      `the live state of ${state.l2Vip} announced by ${state.l2Owner}`,
      async () => {
        const view = await clustersView(lab);
        const live = view.exposures.find(e => e.address === state.l2Vip);
        return live?.announcedBy.length === 1 ? live : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    expect(exposure).toMatchObject({
      cluster: 'lab',
      namespace: APP_NAMESPACE,
      serviceName: 'edge-api',
      state: 'assigned',
      announcedBy: [state.l2Owner],
    });
  });

  it('3. a BGP pool: the router holds one route per node with an endpoint (ECMP) and the client reaches the VIP', async () => {
    const active = await lab
      .as('alice')
      .post<ExposureRequest>(
        '/api/exposure/requests',
        requestBody('edge-api-internal', { pool: 'internal-bgp' }),
      );
    expect(active.state).toBe('active');
    expect(active.address).toMatch(/^203\.0\.113\./);
    state.bgpVip = active.address;
    await expectEcmpServed(lab, 'edge-api-internal', active.address!);
    // The admin API shows it announced by both nodes with an endpoint.
    const live = await waitFor(
      `the live state of ${active.address} announced by two nodes`,
      async () =>
        (
          await clustersView(lab)
        ).exposures.find(
          e => e.address === active.address && e.announcedBy.length === 2,
        ),
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(live.announcedBy).toEqual(WORKLOAD_NODES);
  });

  it("4. the owner node's agent dies: the L2 VIP moves to the other node and the router withdraws the dead node's route", async () => {
    await expectFailover(lab, state.l2Vip!, state.l2Owner!, state.bgpVip!);
  });

  it('5. with the portal stopped both VIPs keep answering; started again, nothing is lost', async () => {
    const { l2Vip, bgpVip } = state;
    const summary = async () =>
      (
        await lab
          .as('pat')
          .get<{ items: ExposureRequest[] }>('/api/exposure/requests')
      ).items
        .map(r => `${r.id} ${r.state} ${r.address}`)
        .sort();
    const before = await summary();
    await lab.portal.stop();
    try {
      for (let i = 0; i < 5; i++) {
        expect(await lab.fetchFromClient(l2Vip!)).toMatch(/^edge-api on /);
        expect(await lab.fetchFromClient(bgpVip!)).toMatch(/^edge-api on /);
        await new Promise(r => setTimeout(r, 500));
      }
    } finally {
      await lab.startPortal();
    }
    expect(await summary()).toEqual(before);
    const audit = await lab
      .as('pat')
      .get<{ valid: boolean }>('/api/exposure/audit/verify');
    expect(audit.valid).toBe(true);
    expect(await grantsFor(lab, 'edge-api')).toHaveLength(1);
    expect(await lab.fetchFromClient(l2Vip!)).toMatch(/^edge-api on /);
  }, 240_000);

  it('6. a temporary exposure expires: its VIP stops answering and its address is free again', async () => {
    const expiresAt = new Date(Date.now() + 20_000).toISOString();
    const preview = await lab
      .as('alice')
      .post<ExposureRequest>(
        '/api/exposure/requests',
        requestBody('edge-api-preview', { pool: 'preview', expiresAt }),
      );
    expect(preview.state).toBe('active');
    const vip = preview.address!;
    await expectL2Served(lab, 'edge-api-preview', vip);

    await waitFor(
      'the preview request to expire',
      async () => {
        const r = await lab
          .as('alice')
          .get<ExposureRequest>(`/api/exposure/requests/${preview.id}`);
        return r.state === 'expired' ? r : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 1000 },
    );
    await expectWithdrawn(lab, 'edge-api-preview', vip);
    expect(await grantsFor(lab, 'edge-api-preview')).toEqual([]);
    const pool = await lab
      .as('pat')
      .get<{ counts: { allocated: string } }>('/api/exposure/pools/preview');
    expect(pool.counts.allocated).toBe('0');
  }, 120_000);

  it('7a. a LoadBalancer Service made by hand, without a grant, gets no address and an Event', async () => {
    await expectUngrantedPending(lab, 'hand-made');
  });

  it('7b. the admin API lists the hand-made Service as unmanaged', async () => {
    const unmanaged = await waitFor(
      'payments/hand-made among the unmanaged Services',
      async () =>
        (
          await clustersView(lab)
        ).unmanaged.find(
          u => u.namespace === APP_NAMESPACE && u.name === 'hand-made',
        ),
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    expect(unmanaged).toMatchObject({ cluster: 'lab', addresses: [] });
  });
});

/** The ExposureGrants in the lab cluster for a Service of the app namespace. */
async function grantsFor(lab: Lab, service: string) {
  const items = await lab.cluster.list(
    '/apis/portico.dev/v1alpha1/exposuregrants',
  );
  return items.filter(g => {
    const spec = g.spec as { service?: { namespace: string; name: string } };
    return (
      spec.service?.namespace === APP_NAMESPACE && spec.service.name === service
    );
  });
}

/** The portal's view of its clusters (`GET /api/exposure/clusters`), as the admin page reads it. */
async function clustersView(lab: Lab) {
  return lab.as('pat').get<{
    unmanaged: Array<{
      cluster: string;
      namespace: string;
      name: string;
      addresses: string[];
    }>;
    exposures: Array<{
      cluster: string;
      namespace: string;
      serviceName: string;
      address: string;
      state: string;
      announcedBy: string[];
    }>;
  }>('/api/exposure/clusters');
}
