/*
 * The whole path from a request to a reachable VIP, on the lab (README.md): the
 * steps run in order on one lab, each building on the one before. Needs root.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from './Lab';
import {
  ExposureRequest,
  requestBody,
  routerNeighborOwner,
  runTemplate,
  waitForAnswer,
  waitForIngress,
  waitForSilence,
} from './labSteps';
import { waitFor } from './exec';
import { APP_NAMESPACE } from './kube/workloadObjects';

jest.setTimeout(60_000);

const WORKLOAD_NODES = ['node-a', 'node-b'];
/** catalog/templates/expose-internet.yaml: the production-external template. */
const INTERNET_TEMPLATE = 'expose-service-internet';
const answerFrom = (body: string) => body.replace(/^edge-api on /, '');

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

  it('2. the grant reaches the cluster, the Service gets its address and the L2 owner answers for it', async () => {
    const vip = state.l2Vip!;
    const grants = await waitFor(
      'an ExposureGrant for payments/edge-api',
      async () => {
        const items = await lab.cluster.list(
          '/apis/portico.dev/v1alpha1/exposuregrants',
        );
        const grant = items.find(g => {
          const spec = g.spec as {
            service?: { namespace: string; name: string };
          };
          return (
            spec.service?.namespace === APP_NAMESPACE &&
            spec.service.name === 'edge-api'
          );
        });
        return grant ? [grant] : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect((grants[0].spec as { addresses: string[] }).addresses).toEqual([
      vip,
    ]);
    await waitForIngress(lab, 'edge-api', [vip], 20_000);

    const body = await waitForAnswer(
      lab,
      vip,
      b => b.startsWith('edge-api on '),
      20_000,
    );
    const owner = answerFrom(body);
    expect(WORKLOAD_NODES).toContain(owner);
    // The router reached the VIP through the owner's MAC: the owner answered ARP.
    expect(await routerNeighborOwner(lab, vip)).toBe(owner);
    state.l2Owner = owner;
  });

  it('3. a BGP pool: the router holds one route per node with an endpoint (ECMP) and the client reaches the VIP', async () => {
    const active = await lab
      .as('alice')
      .post<ExposureRequest>(
        '/api/exposure/requests',
        requestBody('edge-api-internal', { pool: 'internal-bgp' }),
      );
    expect(active.state).toBe('active');
    const vip = active.address!;
    expect(vip).toMatch(/^203\.0\.113\./);
    state.bgpVip = vip;

    await waitForIngress(lab, 'edge-api-internal', [vip], 20_000);
    const routed = await waitFor(
      `ECMP route to ${vip} via both workload nodes`,
      async () => {
        const nodes = await lab.router.routedTo(vip);
        return nodes.length === WORKLOAD_NODES.length ? nodes : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(routed).toEqual(WORKLOAD_NODES);
    expect(await lab.router.nextHops(vip)).toEqual([
      '192.0.2.11',
      '192.0.2.12',
    ]);
    // node-c has no edge-api endpoint (externalTrafficPolicy: Local) and announces nothing.
    const body = await waitForAnswer(
      lab,
      vip,
      b => b.startsWith('edge-api on '),
      10_000,
    );
    expect(WORKLOAD_NODES).toContain(answerFrom(body));
  });

  it("4. the owner node's agent dies: the L2 VIP moves to the other node and the router withdraws the dead node's route", async () => {
    const { l2Vip, l2Owner, bgpVip } = state;
    const survivor = WORKLOAD_NODES.find(n => n !== l2Owner)!;
    lab.speakers.get(l2Owner!)!.kill('SIGKILL');

    const body = await waitForAnswer(
      lab,
      l2Vip!,
      b => answerFrom(b) === survivor,
      10_000,
    );
    expect(answerFrom(body)).toBe(survivor);
    expect(await routerNeighborOwner(lab, l2Vip!)).toBe(survivor);

    const routed = await waitFor(
      `the route to ${bgpVip} via ${survivor} only`,
      async () => {
        const nodes = await lab.router.routedTo(bgpVip!);
        return nodes.length === 1 ? nodes : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(routed).toEqual([survivor]);
    await waitForAnswer(lab, bgpVip!, b => answerFrom(b) === survivor, 10_000);

    // The node comes back: its route returns (the L2 owner stays deterministic).
    lab.startSpeaker(l2Owner!);
    await waitFor(
      `the route to ${bgpVip} via both nodes again`,
      async () =>
        (await lab.router.routedTo(bgpVip!)).length === 2 ? true : undefined,
      { timeoutMs: 30_000 },
    );
  });

  it('5. with the portal stopped both VIPs keep answering; started again, nothing is lost', async () => {
    const { l2Vip, bgpVip } = state;
    const before = await lab
      .as('pat')
      .get<{ items: ExposureRequest[] }>('/api/exposure/requests');
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
    const after = await lab
      .as('pat')
      .get<{ items: ExposureRequest[] }>('/api/exposure/requests');
    const summary = (items: ExposureRequest[]) =>
      items.map(r => `${r.id} ${r.state} ${r.address}`).sort();
    expect(summary(after.items)).toEqual(summary(before.items));
    const audit = await lab
      .as('pat')
      .get<{ valid: boolean }>('/api/exposure/audit/verify');
    expect(audit.valid).toBe(true);
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
    await waitForIngress(lab, 'edge-api-preview', [vip], 20_000);
    await waitForAnswer(lab, vip, b => b.startsWith('edge-api on '), 20_000);

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
    await waitForIngress(lab, 'edge-api-preview', [], 20_000);
    await waitForSilence(lab, vip, 20_000);
    const pool = await lab
      .as('pat')
      .get<{ counts: { allocated: string } }>('/api/exposure/pools/preview');
    expect(pool.counts.allocated).toBe('0');
    const allocations = await lab
      .as('pat')
      .get<{ items: Array<{ address: string }> }>('/api/exposure/allocations');
    expect(allocations.items.map(a => a.address)).not.toContain(vip);
  }, 120_000);

  it('7. a LoadBalancer Service made by hand, without a grant, gets no address', async () => {
    await lab.cluster.request(
      'POST',
      `/api/v1/namespaces/${APP_NAMESPACE}/services`,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'hand-made', namespace: APP_NAMESPACE },
        spec: {
          type: 'LoadBalancer',
          selector: { app: 'edge-api' },
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      },
    );
    // The controller explains why in an Event on the Service.
    await waitFor(
      'an Event on payments/hand-made',
      async () => {
        const events = await lab.cluster.list(
          `/api/v1/namespaces/${APP_NAMESPACE}/events`,
        );
        return events.find(
          e => (e.involvedObject as { name?: string })?.name === 'hand-made',
        );
      },
      { timeoutMs: 20_000 },
    );
    expect(await lab.cluster.ingressOf(APP_NAMESPACE, 'hand-made')).toEqual([]);
  });
});
