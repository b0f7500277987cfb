import { CoreV1Api } from '@kubernetes/client-node';
import { systemClock } from '../kube/clock';
import { EventRecorder } from '../kube/events';
import {
  eventually,
  ipAddressPool,
  KubeHarness,
  loadBalancer,
  startHarness,
} from '../kube/__testUtils__/kubeHarness';
import { silentLogger } from '../logging';
import { AddressController } from './addressController';
import { KubeStatusWriter } from './statusWriter';

jest.setTimeout(90_000);

// The controller as its ServiceAccount on a real kube-apiserver with deploy/'s RBAC
// and admission policies. Addresses are TEST-NET data in Service status only.

describe('MetalLB annotations on the real server', () => {
  let h: KubeHarness;
  const stop = new AbortController();
  let done: Promise<void> | undefined;

  beforeAll(async () => {
    h = await startHarness();
    await h.create(ipAddressPool(h.ns.metallb, 'ann-a', ['203.0.113.64/29']));
    await h.create(ipAddressPool(h.ns.metallb, 'ann-b', ['203.0.113.72/29']));
    const view = h.startView(
      ['services', 'namespaces', 'grants', 'pools'],
      stop.signal,
    );
    done = new AddressController({
      view,
      writer: new KubeStatusWriter(h.as.controller),
      events: new EventRecorder(h.as.controller, {
        component: 'portico-controller',
        instance: 'test',
        logger: silentLogger,
        clock: systemClock,
      }),
      mode: 'audit',
      loadBalancerClass: h.loadBalancerClass,
      serveClassless: !h.target.outside,
      clock: systemClock,
      logger: silentLogger,
    }).run(stop.signal);
  });

  afterAll(async () => {
    stop.abort();
    await done;
    await h?.cleanup();
  });

  const service = (name: string, annotations: Record<string, string>) => {
    const svc = loadBalancer(h.ns.apps, name, { annotations });
    if (h.target.outside) svc.spec!.loadBalancerClass = h.loadBalancerClass;
    return svc;
  };
  const read = (name: string) =>
    h.core.readNamespacedService({ name, namespace: h.ns.apps });
  const annotatedWith = (name: string, pool: string | undefined) =>
    eventually(
      async () => {
        const svc = await read(name);
        const have =
          svc.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'];
        return have === pool &&
          (pool === undefined ||
            (svc.status?.loadBalancer?.ingress ?? []).length > 0)
          ? svc
          : undefined;
      },
      15_000,
      `${name} annotated with pool ${pool}`,
    );

  it('metallb.io/address-pool picks the pool, and the controller records it in metallb.io/ip-allocated-from-pool', async () => {
    await h.create(service('primary', { 'metallb.io/address-pool': 'ann-b' }));
    const svc = await annotatedWith('primary', 'ann-b');
    expect(svc.status!.loadBalancer!.ingress![0].ip).toMatch(
      /^203\.0\.113\.7[2-9]$/,
    );
    // The user's own annotations are untouched.
    expect(svc.metadata!.annotations!['metallb.io/address-pool']).toBe('ann-b');
  });

  it('metallb.universe.tf/* still works, with a deprecation Event', async () => {
    await h.create(
      service('legacy', { 'metallb.universe.tf/address-pool': 'ann-a' }),
    );
    await annotatedWith('legacy', 'ann-a');
    const event = await eventually(
      async () =>
        (
          await h.core.listNamespacedEvent({ namespace: h.ns.apps })
        ).items.find(
          e =>
            e.involvedObject.name === 'legacy' &&
            e.reason === 'DeprecatedAnnotation',
        ),
      15_000,
      'DeprecatedAnnotation Event',
    );
    expect(event.type).toBe('Warning');
    expect(event.message).toMatch(
      /metallb\.universe\.tf\/address-pool is deprecated \(still read\): use metallb\.io\/address-pool/,
    );
  });

  it("admission lets the controller's identity change that one annotation and nothing else of a Service", async () => {
    if (h.target.outside) return; // deploy/admission may not be installed there
    await h.create(service('guarded', {}));
    await annotatedWith('guarded', 'ann-a');
    const asController = h.as.controller.makeApiClient(CoreV1Api);
    const patch = (body: object) =>
      asController.patchNamespacedService({
        name: 'guarded',
        namespace: h.ns.apps,
        body,
      });
    const refused = async (body: object) => {
      const error = await patch([body]).then(
        () => undefined,
        e => e,
      );
      // RBAC allows the patch; the admission policy refuses it.
      expect(error?.code).toBe(403);
      expect(String(error?.body)).toMatch(
        /may change only the annotations metallb.io\/ip-allocated-from-pool, portico.dev\/granted-by and portico.dev\/ungranted-since/,
      );
    };
    // Admission policies take effect a moment after they are created.
    const specChange = {
      op: 'add',
      path: '/spec/externalTrafficPolicy',
      value: 'Local',
    };
    await eventually(
      () =>
        patch([specChange]).then(
          () => undefined,
          e => (e?.code === 403 ? true : undefined),
        ),
      10_000,
      'the policy in effect',
    ).catch(() => undefined);
    expect((await read('guarded')).spec!.externalTrafficPolicy).not.toBe(
      'Local',
    );
    await refused(specChange);
    await refused({
      op: 'add',
      path: '/metadata/labels',
      value: { sneaky: 'yes' },
    });
    await refused({
      op: 'add',
      path: '/metadata/annotations/other.example~1key',
      value: 'x',
    });
    // The one it owns: allowed.
    await patch([
      {
        op: 'replace',
        path: '/metadata/annotations/metallb.io~1ip-allocated-from-pool',
        value: 'ann-a',
      },
    ]);
  });
});
