import { KubernetesObjectApi } from '@kubernetes/client-node';
import { AddressController } from '../controller/addressController';
import { KubeStatusWriter } from '../controller/statusWriter';
import { electOwner } from '../l2/election/electOwner';
import { createLogger, silentLogger } from '../logging';
import { speakerState } from '../speaker/desiredState';
import { systemClock } from './clock';
import { EventRecorder } from './events';
import { MetalLBStatusWriter } from './metallbStatusWriter';
import { MetalLBServiceStatusReporter } from '../speaker/metallbStatusReporter';
import {
  eventually,
  KubeHarness,
  loadBalancer,
  METALLB_OWN_CRDS,
  startHarness,
} from './__testUtils__/kubeHarness';

jest.setTimeout(120_000);

// MetalLB v0.16 objects written as MetalLB's docs write them, applied with kubectl
// to a real kube-apiserver carrying deploy/crds (MetalLB's own CRDs), read back by
// the agent's watch layer, and judged by what the controller and the speaker then
// do. Addresses are TEST-NET data written into Service status only.

// What runController and runSpeaker watch, each as its own ServiceAccount.
const CONTROLLER_KINDS = [
  'services',
  'namespaces',
  'grants',
  'pools',
  'l2Advertisements',
  'bgpAdvertisements',
  'peers',
  'communities',
  'bfdProfiles',
  'secrets',
] as const;
const SPEAKER_KINDS = [
  'services',
  'endpointSlices',
  'nodes',
  'pools',
  'l2Advertisements',
  'bgpAdvertisements',
  'peers',
  'communities',
  'bfdProfiles',
  'secrets',
  'grants',
] as const;

describe.each([
  ['deploy/crds', undefined],
  ["MetalLB v0.16.2's own CRDs", METALLB_OWN_CRDS],
])('MetalLB v0.16 API on the real server, with %s', (_name, crds) => {
  let h: KubeHarness;
  const stop = new AbortController();
  let done: Promise<void> | undefined;

  beforeAll(async () => {
    h = await startHarness({ crds });
  });

  afterAll(async () => {
    stop.abort();
    await done;
    await h?.cleanup();
  });

  const kubectl = (args: string[], input?: string) =>
    h.target.cluster!.kubectl(args, input === undefined ? {} : { input });

  const manifests = () => {
    const ns = h.ns.metallb;
    return `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: edge, namespace: ${ns} }
spec:
  addresses: [203.0.113.32/28]
---
apiVersion: metallb.io/v1beta1
kind: Community
metadata: { name: communities, namespace: ${ns} }
spec:
  communities:
    - name: no-export-ish
      value: 65535:65281
    - name: tenant-large
      value: large:64512:7:9
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: fast, namespace: ${ns} }
spec:
  receiveInterval: 150
  transmitInterval: 150
  detectMultiplier: 5
  echoMode: true
  echoInterval: 40
  passiveMode: true
  minimumTtl: 250
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: tor, namespace: ${ns} }
spec:
  myASN: 64512
  peerASN: 64600
  localASN: 64700
  peerAddress: 198.51.100.1
  bfdProfile: fast
  keepaliveTime: 20s
  holdTime: 60s
---
apiVersion: metallb.io/v1beta1
kind: BGPPeer
metadata: { name: legacy, namespace: ${ns} }
spec:
  myASN: 64512
  peerASN: 64601
  peerAddress: 198.51.100.2
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: in-vrf, namespace: ${ns} }
spec:
  myASN: 64512
  peerASN: 64602
  peerAddress: 198.51.100.3
  vrf: red
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: missing-bfd, namespace: ${ns} }
spec:
  myASN: 64512
  peerASN: 64603
  peerAddress: 198.51.100.4
  bfdProfile: nowhere
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: web-only, namespace: ${ns} }
spec:
  ipAddressPools: [edge]
  communities: [no-export-ish, tenant-large, 64512:100]
  serviceSelectors:
    - matchLabels: { tier: web }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: prepend, namespace: ${ns} }
spec:
  ipAddressPools: [edge]
  asPathPrepend: 3
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: web-l2, namespace: ${ns} }
spec:
  ipAddressPools: [edge]
  serviceSelectors:
    - matchExpressions: [{ key: tier, operator: In, values: [web] }]
  preferredNodeSelectors:
    - weight: 10
      preference: { matchLabels: { rack: r2 } }
    - weight: 5
      preference: { matchLabels: { zone: a } }
`;
  };

  async function readyNode(name: string, labels: Record<string, string>) {
    await h.core.createNode({ body: { metadata: { name, labels } } });
    const now = new Date();
    // JSON patch: the client's default content type for patches.
    await h.core.patchNodeStatus({
      name,
      body: [
        {
          op: 'add',
          path: '/status/conditions',
          value: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'test node',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
        },
      ],
    });
  }

  it('round-trips every field, serves v1beta1 BGPPeers, refuses what the speaker lacks, and changes behaviour as MetalLB documents', async () => {
    if (!h.target.cluster) return; // kubectl of the test cluster's release
    const applied = await kubectl(['apply', '-f', '-'], manifests());
    expect(applied.stdout).toMatch(/bgppeer.metallb.io\/legacy created/);
    // v1beta1 is served (with MetalLB's deprecation warning) and stored as v1beta2.
    expect(applied.stderr).toMatch(/v1beta1 is deprecated/);

    // Round trip: what was written is what the server stores.
    const peer = JSON.parse(
      (
        await kubectl([
          'get',
          'bgppeers.v1beta2.metallb.io',
          'tor',
          '-n',
          h.ns.metallb,
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(peer.spec).toMatchObject({
      localASN: 64700,
      bfdProfile: 'fast',
      keepaliveTime: '20s',
    });
    const l2 = JSON.parse(
      (
        await kubectl([
          'get',
          'l2advertisements.metallb.io',
          'web-l2',
          '-n',
          h.ns.metallb,
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(l2.spec.preferredNodeSelectors).toHaveLength(2);
    expect(l2.spec.serviceSelectors[0].matchExpressions[0].key).toBe('tier');

    await readyNode(`n1-${h.run}`, { rack: 'r1', zone: 'a' });
    await readyNode(`n2-${h.run}`, { rack: 'r2', zone: 'b' });
    await readyNode(`n3-${h.run}`, { rack: 'r3', zone: 'c' });

    const objects = KubernetesObjectApi.makeApiClient(h.kc);
    for (const [name, labels] of [
      ['web', { tier: 'web' }],
      ['db', { tier: 'db' }],
    ] as const) {
      const svc = loadBalancer(h.ns.apps, name);
      svc.metadata!.labels = { ...labels };
      await objects.create(svc);
      await objects.create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-1`,
          namespace: h.ns.apps,
          labels: { 'kubernetes.io/service-name': name },
        },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: ['192.0.2.10'],
            conditions: { ready: true },
            nodeName: `n1-${h.run}`,
          },
        ],
        ports: [{ port: 8443, protocol: 'TCP' }],
      } as any);
    }

    // The controller, as its ServiceAccount, over every kind it watches.
    const view = h.startView([...CONTROLLER_KINDS], stop.signal);
    const speakerView = h.startView([...SPEAKER_KINDS], stop.signal, 'speaker');
    const controller = new AddressController({
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
      serveClassless: true,
      clock: systemClock,
      logger: silentLogger,
      metallbStatus: new MetalLBStatusWriter(h.as.controller, h.ns.metallb),
    });
    done = controller.run(stop.signal);

    // A field the speaker does not implement: an Event naming it, and no peer.
    const refused = await eventually(
      async () =>
        (
          await h.core.listNamespacedEvent({ namespace: h.ns.metallb })
        ).items.find(
          e =>
            e.involvedObject.name === 'in-vrf' &&
            e.reason === 'InvalidConfiguration',
        ),
      20_000,
      'InvalidConfiguration Event on BGPPeer in-vrf',
    );
    expect(refused.type).toBe('Warning');
    expect(refused.message).toMatch(/spec\.vrf \("red"\) is not supported/);
    const prepend = (
      await h.core.listNamespacedEvent({ namespace: h.ns.metallb })
    ).items.find(e => e.involvedObject.name === 'prepend');
    expect(prepend?.message).toMatch(
      /spec\.asPathPrepend \(3\) is not supported/,
    );

    const snapshot = await eventually(async () => {
      const s = speakerView.snapshot();
      const assigned = s.services.filter(
        svc => (svc.status?.loadBalancer?.ingress ?? []).length > 0,
      );
      return assigned.length === 2 && s.nodes.length >= 3 ? s : undefined;
    }, 20_000);
    const config = snapshot.metallb;

    // v1beta1 and v1beta2 peers both run; the refused ones do not.
    expect(config.peers.map(p => p.name).sort()).toEqual(['legacy', 'tor']);
    expect(
      config.problems.find(p => p.ref.name === 'missing-bfd')?.message,
    ).toMatch(/unknown or invalid BFDProfile nowhere/);
    const tor = config.peers.find(p => p.name === 'tor')!;
    expect(tor).toMatchObject({
      myASN: 64512,
      sessionASN: 64700,
      keepaliveSeconds: 20,
      holdTimeSeconds: 60,
      bfd: {
        receiveInterval: 150,
        transmitInterval: 150,
        detectMultiplier: 5,
        echoMode: true,
        echoInterval: 40,
        passiveMode: true,
        minimumTtl: 250,
      },
    });
    expect(config.bfdProfiles.get('fast')?.detectMultiplier).toBe(5);
    expect(config.communityAliases.get('tenant-large')).toBe('large:64512:7:9');

    // The speaker on n1: localASN is the session's AS; the BGP advertisement
    // covers only tier=web, with its aliases resolved.
    const n1 = speakerState(snapshot, {
      nodeName: `n1-${h.run}`,
      loadBalancerClass: h.loadBalancerClass,
    });
    expect(n1.bgpPeers.find(p => p.name === 'tor')?.myASN).toBe(64700);
    expect(n1.bgpPeers.find(p => p.name === 'legacy')?.myASN).toBe(64512);
    const ingressOf = (name: string) =>
      snapshot.services.find(s => s.metadata?.name === name)!.status!
        .loadBalancer!.ingress![0].ip!;
    const web = ingressOf('web');
    const db = ingressOf('db');
    const torRoutes = n1.bgpRoutes.get('tor') ?? [];
    expect(torRoutes.map(r => r.prefix)).toEqual([`${web}/32`]);
    expect(torRoutes[0]).toMatchObject({
      communities: ['64512:100', '65535:65281'],
      largeCommunities: ['64512:7:9'],
    });

    // L2: only tier=web is announced; rack r2 (weight 10) beats zone a (5).
    expect(n1.l2.map(v => v.address)).toEqual([web]);
    expect(n1.l2.map(v => v.address)).not.toContain(db);
    const vip = n1.l2[0];
    expect(vip.nodeScores).toEqual({
      [`n1-${h.run}`]: 5,
      [`n2-${h.run}`]: 10,
      [`n3-${h.run}`]: 0,
    });
    const all = new Set(vip.nodes);
    expect(electOwner(vip.address, vip.nodes, all, vip.nodeScores)).toBe(
      `n2-${h.run}`,
    );
    // The preferred node gone: the next score wins, then any eligible node.
    all.delete(`n2-${h.run}`);
    expect(electOwner(vip.address, vip.nodes, all, vip.nodeScores)).toBe(
      `n1-${h.run}`,
    );
    all.delete(`n1-${h.run}`);
    expect(electOwner(vip.address, vip.nodes, all, vip.nodeScores)).toBe(
      `n3-${h.run}`,
    );

    // Status as MetalLB writes it. The controller: pool counters, ConfigurationState.
    const json = async (...args: string[]) =>
      JSON.parse(
        (await kubectl(['get', ...args, '-n', h.ns.metallb, '-o', 'json']))
          .stdout,
      );
    const poolStatus = await eventually(async () => {
      const p = await json('ipaddresspools.metallb.io', 'edge');
      return p.status?.assignedIPv4 === 2 ? p.status : undefined;
    }, 15_000);
    expect(poolStatus).toEqual({
      assignedIPv4: 2,
      assignedIPv6: 0,
      availableIPv4: 14,
      availableIPv6: 0,
    });
    const state = await eventually(
      async () =>
        (
          await json('configurationstates.metallb.io', 'controller')
        ).status,
      15_000,
    );
    expect(state.result).toBe('Invalid');
    expect(state.errorSummary).toMatch(
      /BGPPeer .*\/in-vrf: spec\.vrf \("red"\) is not supported/,
    );
    const controllerState = await json(
      'configurationstates.metallb.io',
      'controller',
    );
    expect(controllerState.metadata.labels).toEqual({
      'metallb.io/component-type': 'controller',
    });

    // The speaker (its own ServiceAccount): n1 answers for web's address on eth1
    // and advertises it to tor and legacy.
    const logged: string[] = [];
    const reporter = new MetalLBServiceStatusReporter(
      h.as.speaker,
      h.ns.metallb,
      `n1-${h.run}`,
      createLogger({ write: line => logged.push(line) }),
    );
    const l2Report = {
      node: `n1-${h.run}`,
      ready: true,
      linkUp: true,
      healthyNodes: [`n1-${h.run}`],
      vips: [
        {
          address: web,
          owner: `n1-${h.run}`,
          announcing: true,
          state: 'clear' as const,
          interfaces: ['eth1'],
        },
      ],
      failovers: [],
      conflicts: [],
    };
    // As runSpeaker does every 2 s: a new kind's storage may still be starting (429).
    await eventually(
      async () =>
        (await reporter.report(snapshot, l2Report, n1.bgpRoutes))
          ? true
          : undefined,
      20_000,
      'the speaker status written',
    );
    expect(logged.every(l => /\b429\b/.test(l))).toBe(true);
    const l2Statuses = (await json('servicel2statuses.metallb.io')).items;
    expect(l2Statuses).toHaveLength(1);
    expect(l2Statuses[0].metadata.name).toMatch(/^l2-/);
    expect(l2Statuses[0].metadata.labels).toEqual({
      'metallb.io/node': `n1-${h.run}`,
      'metallb.io/service-name': 'web',
      'metallb.io/service-namespace': h.ns.apps,
    });
    expect(l2Statuses[0].status).toEqual({
      node: `n1-${h.run}`,
      serviceName: 'web',
      serviceNamespace: h.ns.apps,
      interfaces: [{ name: 'eth1' }],
    });
    const bgpStatuses = (await json('servicebgpstatuses.metallb.io')).items;
    expect(bgpStatuses.map((o: any) => o.status)).toEqual([
      {
        node: `n1-${h.run}`,
        serviceName: 'web',
        serviceNamespace: h.ns.apps,
        peers: ['legacy', 'tor'],
      },
    ]);
    const speakerConfigState = await json(
      'configurationstates.metallb.io',
      `speaker-n1-${h.run}`,
    );
    expect(speakerConfigState.metadata.labels).toEqual({
      'metallb.io/component-type': 'speaker',
      'metallb.io/node-name': `n1-${h.run}`,
    });
    expect(speakerConfigState.status.result).toBe('Invalid');
    // Shutting down: this node announces nothing any more.
    await reporter.clear();
    expect((await json('servicel2statuses.metallb.io')).items).toEqual([]);
    expect((await json('servicebgpstatuses.metallb.io')).items).toEqual([]);
  });
});
