import type { CoreV1Event, V1Secret } from '@kubernetes/client-node';
import { BgpSpeaker } from '../bgp';
import type { ResolvedPeerConfig } from '../bgp/peerConfig';
import { duplexPair } from '../bgp/testing/duplexPair';
import { AddressController } from '../controller/addressController';
import { KubeStatusWriter } from '../controller/statusWriter';
import { systemClock } from '../kube/clock';
import { EventRecorder } from '../kube/events';
import {
  eventually,
  KubeHarness,
  startHarness,
} from '../kube/__testUtils__/kubeHarness';
import { silentLogger } from '../logging';
import { speakerState } from './desiredState';

jest.setTimeout(90_000);

// Against the test API server through @kubernetes/client-node. The BGP speaker
// dials through an in-memory stream (nothing is sent on any network); the peer
// address is TEST-NET-1 data.

describe('BGPPeer passwordSecret against the Kubernetes API', () => {
  let h: KubeHarness;
  const stop = new AbortController();
  let bgp: BgpSpeaker | undefined;
  let controllerDone: Promise<void> | undefined;
  let applying = Promise.resolve();
  /** Every session the speaker opened, with the config it opened it with. */
  const dials: ResolvedPeerConfig[] = [];

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    stop.abort();
    await applying;
    await bgp?.stop();
    await controllerDone;
    await h?.cleanup();
  });

  const secret = (
    password: string,
    type = 'kubernetes.io/basic-auth',
  ): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tor-auth', namespace: h.ns.metallb },
    type,
    stringData: { username: 'portico', password },
  });

  const peerEvents = async (): Promise<CoreV1Event[]> =>
    (
      await h.core.listNamespacedEvent({ namespace: h.ns.metallb })
    ).items.filter(
      e =>
        e.involvedObject.kind === 'BGPPeer' &&
        e.involvedObject.name === 'tor' &&
        e.reason === 'InvalidConfiguration',
    );

  const peerStatus = () => bgp!.status().find(p => p.name === 'tor');

  it('runs the peer with the Secret password, rebuilds it on change, and reports it when the Secret goes', async () => {
    // What the speaker role does with the view, minus L2: BGP peers from the snapshot.
    const speakerView = h.startView(
      ['nodes', 'pools', 'bgpAdvertisements', 'peers', 'secrets'],
      stop.signal,
      'speaker',
    );
    bgp = new BgpSpeaker({
      routerId: '192.0.2.10',
      backoff: { initialMs: 20, maxMs: 50 },
      dial: async peer => {
        dials.push(peer);
        return duplexPair()[0];
      },
    });
    const apply = () => {
      applying = applying.then(async () => {
        if (stop.signal.aborted) return;
        const state = speakerState(speakerView.snapshot(), {
          nodeName: 'node-1',
          loadBalancerClass: h.loadBalancerClass,
        });
        await bgp!.setPeers(state.bgpPeers);
      });
    };
    speakerView.onChange(apply);

    // The controller role reports configuration problems as Events.
    const controllerView = h.startView(
      ['services', 'namespaces', 'pools', 'peers', 'secrets'],
      stop.signal,
    );
    controllerDone = new AddressController({
      view: controllerView,
      writer: new KubeStatusWriter(h.as.controller),
      events: new EventRecorder(h.as.controller, {
        component: 'portico-controller',
        instance: 'test',
        logger: silentLogger,
        clock: systemClock,
      }),
      mode: 'audit',
      loadBalancerClass: h.loadBalancerClass,
      clock: systemClock,
      logger: silentLogger,
    }).run(stop.signal);

    await h.create(secret('first-key'));
    await h.create({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'tor', namespace: h.ns.metallb },
      spec: {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: '192.0.2.1',
        passwordSecret: { name: 'tor-auth', namespace: h.ns.metallb },
      },
    });

    await eventually(
      async () =>
        dials.find(d => d.name === 'tor' && d.password === 'first-key'),
      10_000,
      'a session opened with the password from the Secret',
    );
    expect(dials.every(d => d.password === 'first-key')).toBe(true);

    // The Secret changes: the peer is torn down and opened with the new key.
    await h.core.replaceNamespacedSecret({
      name: 'tor-auth',
      namespace: h.ns.metallb,
      body: secret('second-key'),
    });
    await eventually(
      async () => dials.find(d => d.password === 'second-key'),
      10_000,
      'a session reopened with the changed password',
    );
    expect(peerStatus()?.state).not.toBe('Disabled');
    expect(await peerEvents()).toEqual([]);

    // The Secret goes: the peer stops, never to run without its password, and
    // the BGPPeer gets a Warning Event saying why.
    await h.core.deleteNamespacedSecret({
      name: 'tor-auth',
      namespace: h.ns.metallb,
    });
    await eventually(
      async () => (peerStatus() === undefined ? true : undefined),
      10_000,
      'the peer deconfigured',
    );
    const missing = await eventually(
      async () =>
        (await peerEvents()).find(e => /not found/.test(e.message ?? '')),
      10_000,
      'an InvalidConfiguration Event on the BGPPeer',
    );
    expect(missing.type).toBe('Warning');
    expect(missing.message).toMatch(
      new RegExp(`passwordSecret: Secret ${h.ns.metallb}/tor-auth not found`),
    );

    // A Secret of the wrong type is reported too, and still runs nothing.
    const opened = dials.length;
    await h.create(secret('third-key', 'Opaque'));
    await eventually(
      async () =>
        (
          await peerEvents()
        ).find(e =>
          /is of type Opaque, not kubernetes.io\/basic-auth/.test(
            e.message ?? '',
          ),
        ),
      10_000,
      'the wrong Secret type reported',
    );
    expect(peerStatus()).toBeUndefined();
    expect(dials.length).toBe(opened);

    // Fixed: the peer comes back with the password.
    await h.core.deleteNamespacedSecret({
      name: 'tor-auth',
      namespace: h.ns.metallb,
    });
    await h.create(secret('fourth-key'));
    await eventually(
      async () => dials.find(d => d.password === 'fourth-key'),
      10_000,
      'the peer back with the password of the fixed Secret',
    );
    expect(dials.some(d => d.password === undefined)).toBe(false);
  });
});
