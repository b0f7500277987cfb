import { KubeConfig } from '@kubernetes/client-node';
import {
  AddressController,
  ClusterView,
  EventRecorder,
  KubeStatusWriter,
  silentLogger,
  systemClock,
} from '@portico/node-agent';
import type { AdoptionReport } from '@portico/plugin-exposure-common';
import type { Server } from 'node:http';
import request from 'supertest';
import { PAT, startPortalBackend } from '../__testUtils__/portalBackend';
import {
  eventually,
  PortalCluster,
  startPortalCluster,
} from '../__testUtils__/portalCluster';

jest.setTimeout(180_000);

// The switch from a cluster where addresses were handed out like MetalLB does
// (the agent in audit mode, no grants) to enforce, through adoption: the real
// kube-apiserver, the portal backend with its reconciler, the node agent's
// controller in this process. TEST-NET addresses in Service status only.

const SERVICES = 50;
const NS = 'fleet';

describe('adopt → enforce without an outage', () => {
  let cluster: PortalCluster;
  let portal: { server: Server; stop: () => Promise<void> };
  let admin: KubeConfig;
  const running: Array<{ stop: AbortController; done: Promise<void> }> = [];

  function startController(mode: 'audit' | 'enforce', enforceGraceMs?: number) {
    const stop = new AbortController();
    const view = new ClusterView({
      kubeConfig: admin,
      logger: silentLogger,
      metallbNamespace: cluster.metallbNamespace,
      agentNamespace: cluster.agentNamespace,
      kinds: ['services', 'namespaces', 'grants', 'pools'],
      debounceMs: 20,
    });
    view.start(stop.signal);
    const done = new AddressController({
      view,
      writer: new KubeStatusWriter(admin),
      events: new EventRecorder(admin, {
        component: 'portico-controller',
        instance: 'test',
        logger: silentLogger,
        clock: systemClock,
      }),
      mode,
      enforceGraceMs,
      loadBalancerClass: 'portico.dev/load-balancer',
      clock: systemClock,
      logger: silentLogger,
    }).run(stop.signal);
    running.push({ stop, done });
  }

  async function stopControllers() {
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done;
    }
  }

  const addresses = async (): Promise<Map<string, string>> => {
    const list = JSON.parse(
      await cluster.kubectl(['get', 'services', '-n', NS, '-o', 'json']),
    ).items as Array<{
      metadata: { name: string };
      status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } };
    }>;
    return new Map(
      list.map(s => [
        s.metadata.name,
        s.status?.loadBalancer?.ingress?.[0]?.ip ?? '',
      ]),
    );
  };

  beforeAll(async () => {
    cluster = await startPortalCluster({ namespaces: [NS, 'strays'] });
    admin = new KubeConfig();
    admin.loadFromString(cluster.target.kubeconfig);
    // The cluster's own MetalLB pool, named as the portal's (the adoption report
    // asks for that), assigning automatically as MetalLB does.
    await cluster.kubectl(['create', 'namespace', cluster.metallbNamespace]);
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'fleet', namespace: cluster.metallbNamespace },
        spec: { addresses: ['192.0.2.64/26'] },
      }),
    });
    portal = await startPortalBackend(cluster, {
      segments: [
        { name: 'dc1-edge', cidrs: ['192.0.2.0/24'], clusters: ['test'] },
      ],
      pools: [
        {
          name: 'fleet',
          segment: 'dc1-edge',
          intent: 'internal',
          addresses: ['192.0.2.64/26'],
          advertisement: { type: 'l2' },
        },
      ],
      expiry: { intervalSeconds: 3600 },
      kubernetes: {
        intervalSeconds: 1,
        metallbNamespace: cluster.metallbNamespace,
        adoption: {
          namespaceOwners: [
            { namespace: NS, owner: 'group:default/team-fleet' },
          ],
        },
      },
    });
    // The portal renders its pool into the cluster, as MetalLB's would be there.
    await eventually(
      'the pool in the cluster',
      async () =>
        JSON.parse(
          await cluster.kubectl([
            'get',
            'ipaddresspools.metallb.io',
            '-n',
            cluster.metallbNamespace,
            '-o',
            'json',
          ]),
        ).items.length === 1,
    );
  });

  afterAll(async () => {
    await stopControllers();
    await portal?.stop();
    await cluster?.stop();
  });

  it(`${SERVICES} Services assigned without grants are adopted, enforce begins, and none loses its address`, async () => {
    const services = Array.from({ length: SERVICES }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, namespace: NS },
      spec: {
        type: 'LoadBalancer',
        selector: { app: `svc-${i}` },
        ports: [{ port: 443, protocol: 'TCP' }],
      },
    }));
    const stray = {
      ...services[0],
      metadata: { name: 'stray', namespace: 'strays' },
    };
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [...services, stray],
      }),
    });

    // Before Portico governs: assigned like MetalLB, no grant anywhere.
    startController('audit');
    const before = await eventually(
      'every Service assigned',
      async () => {
        const a = await addresses();
        return [...a.values()].every(ip => ip) && a.size === SERVICES && a;
      },
      60_000,
    );
    expect(new Set(before.values()).size).toBe(SERVICES);
    await stopControllers();

    const dry: AdoptionReport = (
      await request(portal.server)
        .post('/api/exposure/clusters/test/adoption')
        .set('Authorization', PAT)
        .send({})
    ).body;
    expect(dry.adopt).toHaveLength(SERVICES);
    expect(dry.skipped.map(s => [s.serviceName, s.reason])).toEqual([
      ['stray', 'no-owner'],
    ]);
    expect(dry.enforceWouldRemove.map(e => e.serviceName)).toEqual(['stray']);
    const confirmed = await request(portal.server)
      .post('/api/exposure/clusters/test/adoption')
      .set('Authorization', PAT)
      .send({ dryRun: false, token: dry.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.adopted).toHaveLength(SERVICES);

    // The reconciler writes a grant for each, at the address it holds.
    await eventually(
      'a grant per adopted Service',
      async () =>
        JSON.parse(
          await cluster.kubectl([
            'get',
            'exposuregrants.portico.dev',
            '-o',
            'json',
          ]),
        ).items.length === SERVICES,
      60_000,
    );

    // Enforce, with a grace period so short that only a grant keeps an address
    // (the stray keeps its own for the default period instead, below).
    startController('enforce', 1);
    // At least 8 s and 12 samples (a loaded machine takes longer per sample),
    // never more than 60 s.
    const started = Date.now();
    let samples = 0;
    while (
      (Date.now() - started < 8_000 || samples < 12) &&
      Date.now() - started < 60_000
    ) {
      const now = await addresses();
      for (const [name, ip] of before)
        expect([name, now.get(name)]).toEqual([name, ip]);
      samples++;
      await new Promise(r => setTimeout(r, 200));
    }
    expect(samples).toBeGreaterThan(10);
    const granted = JSON.parse(
      await cluster.kubectl(['get', 'services', '-n', NS, '-o', 'json']),
    ).items.filter(
      (s: any) => s.metadata.annotations?.['portico.dev/granted-by'],
    );
    expect(granted).toHaveLength(SERVICES);
    const released = JSON.parse(
      await cluster.kubectl(['get', 'events', '-n', NS, '-o', 'json']),
    ).items.filter((e: any) => e.reason === 'AddressReleased');
    expect(released).toEqual([]);
    // The stray was not adopted: with a 1 ms grace period it loses its address,
    // which shows the check above could fail.
    await eventually('the stray released', async () => {
      const svc = JSON.parse(
        await cluster.kubectl([
          'get',
          'service',
          'stray',
          '-n',
          'strays',
          '-o',
          'json',
        ]),
      );
      return !(svc.status?.loadBalancer?.ingress ?? []).length;
    });
  });
});
