import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { systemClock } from '../kube/clock';
import { EventRecorder } from '../kube/events';
import {
  eventually,
  exposureGrant,
  ipAddressPool,
  KubeHarness,
  loadBalancer,
  startHarness,
  withServer,
} from '../kube/__testUtils__/kubeHarness';
import { silentLogger } from '../logging';
import { AddressController } from './addressController';
import type { GovernanceMode } from './allocator/types';
import { KubeStatusWriter } from './statusWriter';
import { KubeConfig } from '@kubernetes/client-node';

jest.setTimeout(90_000);

// Against a real kube-apiserver through the unmodified @kubernetes/client-node, as
// the controller's own ServiceAccount (or an outside cluster with
// PORTICO_E2E_KUBECONFIG). Addresses are TEST-NET-3 data; the
// controller only writes them into Service status, nothing is sent anywhere.

describe('controller against the Kubernetes API', () => {
  let h: KubeHarness;
  const running: Array<{ stop: AbortController; done: Promise<void> }> = [];

  beforeAll(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done;
    }
  });

  afterAll(async () => {
    await h?.cleanup();
  });

  function startController(
    mode: GovernanceMode,
    kubeConfig: KubeConfig = h.as.controller,
    enforceGraceMs?: number,
  ) {
    const stop = new AbortController();
    const view = h.startView(
      ['services', 'namespaces', 'grants', 'pools', 'l2Advertisements'],
      stop.signal,
      kubeConfig,
    );
    const controller = new AddressController({
      view,
      writer: new KubeStatusWriter(kubeConfig),
      events: new EventRecorder(kubeConfig, {
        component: 'portico-controller',
        instance: 'test',
        logger: silentLogger,
        clock: systemClock,
      }),
      mode,
      enforceGraceMs,
      loadBalancerClass: h.loadBalancerClass,
      serveClassless: !h.target.outside,
      clock: systemClock,
      logger: silentLogger,
    });
    const done = controller.run(stop.signal);
    running.push({ stop, done });
    return view;
  }

  /** A LoadBalancer Service of this run's class (class-less on the test server). */
  function service(
    name: string,
    extra: Parameters<typeof loadBalancer>[2] = {},
  ) {
    const svc = loadBalancer(h.ns.apps, name, extra);
    if (h.target.outside) svc.spec!.loadBalancerClass = h.loadBalancerClass;
    return svc;
  }

  async function ingress(
    name: string,
    namespace = h.ns.apps,
  ): Promise<string[]> {
    const svc = await h.core.readNamespacedServiceStatus({ name, namespace });
    return (svc.status?.loadBalancer?.ingress ?? []).map(i => i.ip!).sort();
  }

  const ingressBecomes = (name: string, want: string[]) =>
    eventually(
      async () => {
        const got = await ingress(name);
        return JSON.stringify(got) === JSON.stringify([...want].sort())
          ? got
          : undefined;
      },
      10_000,
      `Service ${name} ingress = [${want}]`,
    );

  const eventOn = (namespace: string, name: string, reason: string) =>
    eventually(
      async () => {
        const list = await h.core.listNamespacedEvent({ namespace });
        return list.items.find(
          e => e.involvedObject.name === name && e.reason === reason,
        );
      },
      10_000,
      `Event ${reason} on ${name}`,
    );

  const pool = (name: string, addresses: string[], extra = {}) =>
    h.create(ipAddressPool(h.ns.metallb, name, addresses, extra));

  it('enforce: no grant → pending with an Event; grant → status; grant deleted → cleared', async () => {
    await pool('enforce-pool', ['203.0.113.16/29']);
    await h.create(service('shop'));
    startController('enforce');

    const pending = await eventOn(h.ns.apps, 'shop', 'NotGranted');
    expect(pending.type).toBe('Warning');
    expect(pending.message).toMatch(/request exposure/i);
    expect(await ingress('shop')).toEqual([]);

    const grant = exposureGrant(
      `shop-${h.run}`,
      { namespace: h.ns.apps, name: 'shop' },
      ['203.0.113.21'],
      'enforce-pool',
    );
    await h.create(grant);
    await ingressBecomes('shop', ['203.0.113.21']);
    const condition = await eventually(async () => {
      const g: any = await h.custom.getClusterCustomObject({
        group: 'portico.dev',
        version: 'v1alpha1',
        plural: 'exposuregrants',
        name: grant.metadata.name,
      });
      return g.status?.conditions?.find(
        (c: any) => c.type === 'Assigned' && c.status === 'True',
      );
    });
    expect(condition.reason).toBe('AddressAssigned');

    await h.remove(grant);
    await ingressBecomes('shop', []);
    await eventOn(h.ns.apps, 'shop', 'AddressReleased');
  });

  it('audit: the seed example from DESIGN.md works as written', async () => {
    // DESIGN.md §4's manifests, with the pool's range moved to TEST-NET-3.
    const docs = parseAllDocuments(
      readFileSync(
        resolve(__dirname, '__testUtils__/seed-example.yaml'),
        'utf8',
      ),
    ).map(d => d.toJS());
    for (const doc of docs) {
      doc.metadata.namespace =
        doc.kind === 'Service' ? h.ns.apps : h.ns.metallb;
      if (doc.kind === 'Service' && h.target.outside) {
        doc.spec.loadBalancerClass = h.loadBalancerClass;
      }
      await h.create(doc);
    }
    startController('audit');
    await ingressBecomes('edge-api', ['203.0.113.120']);
    const report = await eventOn(h.ns.apps, 'edge-api', 'NotGranted');
    expect(report.message).toMatch(/audit mode/);
  });

  it('enforce: the seed example keeps its ungranted address for the grace period (zero outage), then a grant takes over', async () => {
    // Follows the audit test: edge-api holds an address that no grant covers.
    const before = await ingress('edge-api');
    expect(before).toHaveLength(1);
    startController('enforce');
    const warning = await eventOn(
      h.ns.apps,
      'edge-api',
      'UngrantedGracePeriod',
    );
    expect(warning.type).toBe('Warning');
    expect(warning.message).toMatch(/keeps working until .* \(grace period\)/);
    const marked = await eventually(async () => {
      const svc = await h.core.readNamespacedService({
        name: 'edge-api',
        namespace: h.ns.apps,
      });
      return svc.metadata?.annotations?.['portico.dev/ungranted-since'];
    });
    expect(Number.isNaN(Date.parse(marked))).toBe(false);
    expect(await ingress('edge-api')).toEqual(before);
    await h.create(
      exposureGrant(
        `edge-api-${h.run}`,
        { namespace: h.ns.apps, name: 'edge-api' },
        ['203.0.113.125'],
        'prod-external',
      ),
    );
    expect(await ingressBecomes('edge-api', ['203.0.113.125'])).toEqual([
      '203.0.113.125',
    ]);
    // Granted now: a later deletion of the grant removes the address at once.
    const annotations = await eventually(async () => {
      const svc = await h.core.readNamespacedService({
        name: 'edge-api',
        namespace: h.ns.apps,
      });
      const a = svc.metadata?.annotations ?? {};
      return a['portico.dev/granted-by'] && !a['portico.dev/ungranted-since']
        ? a
        : undefined;
    });
    expect(annotations['portico.dev/granted-by']).toBe(`edge-api-${h.run}`);
  });

  it('enforce: an ungranted address is removed when its grace period ends', async () => {
    await pool('grace-pool', ['198.51.100.200-198.51.100.203']);
    await h.create(service('brief'));
    startController('audit');
    await eventually(async () =>
      (await ingress('brief')).length ? true : undefined,
    );
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done;
    }
    startController('enforce', h.as.controller, 1500);
    await eventOn(h.ns.apps, 'brief', 'UngrantedGracePeriod');
    expect(await ingress('brief')).toHaveLength(1);
    await ingressBecomes('brief', []);
    const released = await eventOn(h.ns.apps, 'brief', 'AddressReleased');
    expect(released.type).toBe('Warning');
  });

  it('audit: two Services asking for one address — the first keeps it, the second waits', async () => {
    await pool('shared-pool', ['203.0.113.40-203.0.113.47']);
    const ask = {
      annotations: { 'metallb.universe.tf/loadBalancerIPs': '203.0.113.44' },
    };
    await h.create(service('first', ask));
    startController('audit');
    await ingressBecomes('first', ['203.0.113.44']);
    await h.create(service('second', ask));
    const conflict = await eventOn(h.ns.apps, 'second', 'AddressInUse');
    expect(conflict.message).toMatch(/203\.0\.113\.44 .*first/);
    expect(await ingress('second')).toEqual([]);
    expect(await ingress('first')).toEqual(['203.0.113.44']);

    // Sharing, when both allow it and ports do not clash, is fine.
    await h.create(
      service('third', {
        annotations: {
          'metallb.io/loadBalancerIPs': '203.0.113.45',
          'metallb.io/allow-shared-ip': 'k',
        },
      }),
    );
    await h.create(
      service('fourth', {
        annotations: {
          'metallb.io/loadBalancerIPs': '203.0.113.45',
          'metallb.io/allow-shared-ip': 'k',
        },
        spec: { ports: [{ port: 53, protocol: 'UDP' }] },
      }),
    );
    await ingressBecomes('third', ['203.0.113.45']);
    await ingressBecomes('fourth', ['203.0.113.45']);
  });

  it('an inverted range is refused at apply time, by the admission policy of deploy/', async () => {
    await expect(
      pool('inverted-pool', ['203.0.113.90-203.0.113.80']),
    ).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining(
        'spec.addresses: 203.0.113.90-203.0.113.80: the range starts after it ends',
      ),
    });
  });

  it('a malformed IPAddressPool that got in anyway is reported on it while the other pools keep working', async () => {
    const cluster = h.target.cluster;
    if (!cluster) return; // the policy of an outside cluster is left alone
    // A cluster without Portico's admission policies (MetalLB's alone) takes it.
    const binding = 'validatingadmissionpolicybinding/portico-ipaddresspool';
    const saved = await cluster.kubectl(['get', binding, '-o', 'yaml']);
    await cluster.kubectl(['delete', binding]);
    let bad;
    try {
      bad = await eventually(
        () => pool('broken-pool', ['203.0.113.90-203.0.113.80']),
        10_000,
        'the pool accepted once the policy is unbound',
      );
    } finally {
      await cluster.kubectl(['apply', '-f', '-'], { input: saved.stdout });
    }
    await pool('working-pool', ['203.0.113.96/30']);
    await h.create(
      service('steady', {
        annotations: { 'metallb.universe.tf/address-pool': 'working-pool' },
      }),
    );
    startController('audit');
    const report = await eventOn(
      h.ns.metallb,
      'broken-pool',
      'InvalidConfiguration',
    );
    expect(report.type).toBe('Warning');
    expect(report.involvedObject).toMatchObject({
      kind: 'IPAddressPool',
      uid: (bad.metadata as { uid?: string } | undefined)?.uid,
    });
    expect(report.message).toMatch(/ends before it starts/);
    await ingressBecomes('steady', ['203.0.113.96']);
  });

  it('resumes after the watch connection is cut, without missing a change', async () => {
    const cluster = h.target.cluster;
    if (!cluster) return; // an outside cluster cannot be taken down
    const proxy = await cluster.startFaultProxy();
    await pool('resume-pool', ['203.0.113.200/29']);
    await h.create(service('resumer'));
    const view = startController(
      'enforce',
      withServer(h.as.controller, proxy.url),
    );
    await eventOn(h.ns.apps, 'resumer', 'NotGranted');

    // The controller loses the API server, and every watch with it; the grant
    // lands meanwhile.
    proxy.cut();
    await h.create(
      exposureGrant(
        `resumer-${h.run}`,
        { namespace: h.ns.apps, name: 'resumer' },
        ['203.0.113.203'],
        'resume-pool',
      ) as any,
    );
    await new Promise(r => setTimeout(r, 300));
    proxy.restore();
    await ingressBecomes('resumer', ['203.0.113.203']);

    // The API server itself restarts after etcd compacted its history: watches
    // resumed from before get 410 Gone, the informers list afresh, and the
    // deletion made right after is still seen.
    await cluster.simulateOutage();
    await cluster.compactHistory();
    const before = view.version();
    await cluster.resume();
    await h.custom.deleteClusterCustomObject({
      group: 'portico.dev',
      version: 'v1alpha1',
      plural: 'exposuregrants',
      name: `resumer-${h.run}`,
    });
    await ingressBecomes('resumer', []);
    expect(view.version()).toBeGreaterThan(before);
  });
});
