import { readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
} from '@kubernetes/client-node';
import {
  KubeObject,
  startTestCluster,
  TestCluster,
} from '@portico/test-cluster';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from './config';
import { runController } from './controller/runController';
import { systemClock } from './kube/clock';
import { ClusterView } from './kube/clusterView';
import { eventually } from './kube/__testUtils__/kubeHarness';
import { silentLogger } from './logging';
import { Registry } from 'prom-client';

jest.setTimeout(180_000);

const DEPLOY = resolve(__dirname, '../../deploy');
const METALLB_CRDS = resolve(
  __dirname,
  '../../packages/test-cluster/fixtures/metallb-v0.16.2',
);

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
  namespaces?: string[];
}

/** The rules the ServiceAccount's (Cluster)Roles in the base grant it. */
function rulesFor(rendered: KubeObject[], serviceAccount: string): Rule[] {
  const bound = rendered.filter(
    o =>
      (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') &&
      (o.subjects as any[]).some(s => s.name === serviceAccount),
  );
  return bound.flatMap(binding => {
    const ref = binding.roleRef as { kind: string; name: string };
    const role = rendered.find(
      o =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (ref.kind === 'ClusterRole' ||
          o.metadata.namespace === binding.metadata.namespace),
    )!;
    const rules = (role.rules as Rule[]).map(r => ({
      apiGroups: r.apiGroups,
      resources: r.resources,
      verbs: r.verbs,
      ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
    }));
    return ref.kind === 'Role'
      ? rules.map(r => ({ ...r, namespaces: [role.metadata.namespace!] }))
      : rules;
  });
}

describe('deploy/ (kustomize base)', () => {
  let cluster: TestCluster;
  let rendered: KubeObject[];
  const kubectl = async (args: string[], input?: string) => {
    const result = await cluster.kubectl(args, { input });
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const kustomize = async (dir: string) =>
    parseAllDocuments((await kubectl(['kustomize', dir])).stdout).map(d =>
      d.toJS(),
    );

  beforeAll(async () => {
    cluster = await startTestCluster({ audit: true });
    rendered = await kustomize(DEPLOY);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('renders the objects a cluster needs, with least privilege for each role', () => {
    const kinds = rendered.map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace/portico-system',
        'CustomResourceDefinition/exposuregrants.portico.dev',
        'CustomResourceDefinition/ipaddresspools.metallb.io',
        'ServiceAccount/portico-controller',
        'ServiceAccount/portico-speaker',
        'ClusterRole/portico-controller',
        'ClusterRole/portico-speaker',
        'Deployment/portico-controller',
        'DaemonSet/portico-speaker',
      ]),
    );
    const speaker = rendered.find(o => o.kind === 'DaemonSet')! as any;
    const pod = speaker.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.containers[0].securityContext.capabilities).toEqual({
      drop: ['ALL'],
      add: ['NET_RAW', 'NET_ADMIN'],
    });
    // Nobody but the portal writes grants; the agent never writes Service specs
    // (admission refuses the controller's patches beyond one annotation).
    const writes = (sa: string) =>
      rulesFor(rendered, sa).filter(r =>
        r.verbs.some(v => ['create', 'update', 'patch', 'delete'].includes(v)),
      );
    expect(
      writes('portico-controller')
        .flatMap(r => r.resources)
        .sort(),
    ).toEqual([
      'configurationstates',
      'configurationstates/status',
      'events',
      'exposuregrants/status',
      'ipaddresspools/status',
      'leases',
      'leases',
      // Only the annotation metallb.io/ip-allocated-from-pool (admission/services.yaml).
      'services',
      'services/status',
    ]);
    // Events about conflicts, and its own entry under a grant's status.announcers.
    // Plus what MetalLB's speaker writes: ServiceL2Status, ServiceBGPStatus, ConfigurationState.
    expect(
      writes('portico-speaker')
        .flatMap(r => r.resources)
        .sort(),
    ).toEqual([
      'configurationstates',
      'configurationstates/status',
      'events',
      'exposuregrants/status',
      'servicebgpstatuses',
      'servicebgpstatuses/status',
      'servicel2statuses',
      'servicel2statuses/status',
    ]);
    // Secrets (BGPPeers' passwordSecret): read-only, and only in metallb-system.
    for (const sa of ['portico-controller', 'portico-speaker']) {
      expect(
        rulesFor(rendered, sa).filter(r => r.resources.includes('secrets')),
      ).toEqual([
        {
          apiGroups: [''],
          resources: ['secrets'],
          verbs: ['get', 'list', 'watch'],
          namespaces: ['metallb-system'],
        },
      ]);
    }
  });

  it('components switch to audit mode and to MetalLB speakers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-overlay-'));
    try {
      await symlink(DEPLOY, join(dir, 'base'));
      await writeFile(
        join(dir, 'kustomization.yaml'),
        [
          'resources: [base]',
          'components: [base/components/metallb-dataplane, base/components/audit]',
          '',
        ].join('\n'),
      );
      const objects = await kustomize(dir);
      const names = objects.map(o => `${o.kind}/${o.metadata.name}`);
      expect(names).toContain('Deployment/portico-controller');
      expect(names.filter(n => n.includes('portico-speaker'))).toEqual([]);
      // MetalLB's own CRDs are already there: the overlay leaves them alone.
      expect(
        names.filter(n => n.startsWith('CustomResourceDefinition/')),
      ).toEqual(['CustomResourceDefinition/exposuregrants.portico.dev']);
      const controller = objects.find(o => o.kind === 'Deployment');
      expect(controller.spec.template.spec.containers[0].env).toContainEqual({
        name: 'PORTICO_MODE',
        value: 'audit',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the MetalLB data-plane overlay applied next to a running MetalLB leaves its CRDs alone', async () => {
    const metallbCluster = await startTestCluster({ crds: [METALLB_CRDS] });
    const dir = await mkdtemp(join(tmpdir(), 'portico-overlay-'));
    try {
      const crdVersions = async () =>
        (
          await metallbCluster.kubectl([
            'get',
            'crd',
            '-l',
            'app.kubernetes.io/part-of!=portico',
            '-o',
            'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}',
          ])
        ).stdout;
      const before = await crdVersions();
      expect(before).toMatch(/bgppeers.metallb.io=/);
      await symlink(DEPLOY, join(dir, 'base'));
      await writeFile(
        join(dir, 'kustomization.yaml'),
        'resources: [base]\ncomponents: [base/components/metallb-dataplane]\n',
      );
      const applied = await metallbCluster.kubectl(['apply', '-k', dir]);
      expect(applied.stderr).toBe('');
      expect(applied.stdout).not.toMatch(/metallb.io (configured|created)/);
      expect(await crdVersions()).toBe(before);
      // BGPPeer v1beta1, which MetalLB still serves, keeps working.
      const peers = await metallbCluster.kubectl([
        'get',
        'crd',
        'bgppeers.metallb.io',
        '-o',
        'jsonpath={.spec.versions[*].name}',
      ]);
      expect(peers.stdout.split(' ').sort()).toEqual(['v1beta1', 'v1beta2']);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await metallbCluster.stop();
    }
  });

  it('`kubectl apply -k deploy/` succeeds against the API server', async () => {
    const first = await kubectl(['apply', '-k', DEPLOY]);
    expect(first.stdout).toMatch(
      /validatingadmissionpolicy.admissionregistration.k8s.io\/portico-exposuregrant created/,
    );
    const workloads = [
      'deployment.apps/portico-controller',
      'daemonset.apps/portico-speaker',
    ];
    for (const w of workloads) expect(first.stdout).toContain(`${w} created`);
    expect(first.stdout).toMatch(
      /customresourcedefinition.apiextensions.k8s.io\/exposuregrants.portico.dev created/,
    );
    expect(first.stdout).toMatch(
      /clusterrole.rbac.authorization.k8s.io\/portico-controller created/,
    );
    expect(first.stdout).toMatch(
      /role.rbac.authorization.k8s.io\/portico-controller-leader created/,
    );
    const crds = await kubectl(['get', 'crd', '-o', 'name']);
    expect(crds.stdout).toMatch(/ipaddresspools.metallb.io/);
    const sas = await kubectl([
      '-n',
      'portico-system',
      'get',
      'serviceaccounts',
      '-o',
      'name',
    ]);
    expect(sas.stdout).toMatch(/portico-speaker/);
  });

  it('the controller and speaker work with exactly the permissions the base grants', async () => {
    // The seed example, with the pool in TEST-NET-3 (data only: nothing is sent).
    const seed = parseAllDocuments(
      readFileSync(
        resolve(__dirname, 'controller/__testUtils__/seed-example.yaml'),
        'utf8',
      ),
    ).map(d => d.toJS());
    for (const doc of seed)
      if (doc.kind === 'Service') doc.metadata.namespace = 'default';
    await cluster.apply(seed);
    // A BGPPeer whose password is in a Secret, which the speaker must be able to read.
    await cluster.apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'tor-auth', namespace: 'metallb-system' },
        type: 'kubernetes.io/basic-auth',
        data: { password: Buffer.from('md5-key').toString('base64') },
      },
      {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: 'tor', namespace: 'metallb-system' },
        spec: {
          myASN: 64512,
          peerASN: 64513,
          peerAddress: '192.0.2.1',
          passwordSecret: { name: 'tor-auth', namespace: 'metallb-system' },
        },
      },
    ]);

    const kubeConfigFor = async (account: string) => {
      const kc = new KubeConfig();
      kc.loadFromString(
        cluster.kubeconfigFor(
          await cluster.serviceAccountToken('portico-system', account),
        ),
      );
      return kc;
    };
    const stop = new AbortController();
    const config = loadConfig(
      [
        'controller',
        '--mode=audit',
        '--identity=deploy-test',
        '--retry-period=500ms',
      ],
      {},
    );
    const controller = await runController(
      config,
      {
        kubeConfig: await kubeConfigFor('portico-controller'),
        logger: silentLogger,
        registry: new Registry(),
        clock: systemClock,
      },
      stop.signal,
    );
    const speakerView = new ClusterView({
      kubeConfig: await kubeConfigFor('portico-speaker'),
      logger: silentLogger,
      metallbNamespace: 'metallb-system',
      agentNamespace: 'portico-system',
      kinds: [
        'services',
        'endpointSlices',
        'nodes',
        'pools',
        'l2Advertisements',
        'bgpAdvertisements',
        'peers',
        'secrets',
      ],
    });
    speakerView.start(stop.signal);
    try {
      const admin = new KubeConfig();
      admin.loadFromString(cluster.kubeconfig);
      const core = admin.makeApiClient(CoreV1Api);
      await eventually(
        async () => {
          const svc = await core.readNamespacedServiceStatus({
            name: 'edge-api',
            namespace: 'default',
          });
          return svc.status?.loadBalancer?.ingress?.[0]?.ip === '203.0.113.120'
            ? true
            : undefined;
        },
        30_000,
        'edge-api assigned by the least-privileged controller',
      );
      const lease = await admin
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({
          name: 'portico-controller',
          namespace: 'portico-system',
        });
      expect(lease.spec?.holderIdentity).toBe('deploy-test');
      await eventually(
        async () => {
          const events = await core.listNamespacedEvent({
            namespace: 'default',
          });
          return events.items.find(e => e.reason === 'AddressAssigned');
        },
        10_000,
        'an Event written with the controller token',
      );

      await speakerView.whenSynced(AbortSignal.timeout(30_000));
      expect(speakerView.isSynced()).toBe(true);
      expect(speakerView.snapshot().metallb.pools.has('prod-external')).toBe(
        true,
      );
      expect(speakerView.snapshot().metallb.peers).toEqual([
        expect.objectContaining({ name: 'tor', password: 'md5-key' }),
      ]);
    } finally {
      stop.abort();
      await controller.done;
    }
  });

  it('what the controller and speaker call is what their roles allow (kubectl auth can-i --list)', async () => {
    const namespaces = ['portico-system', 'metallb-system', 'default'];
    for (const account of ['portico-controller', 'portico-speaker']) {
      const user = `system:serviceaccount:portico-system:${account}`;
      const allowed = new Set<string>();
      for (const ns of namespaces) {
        const list = await kubectl([
          'auth',
          'can-i',
          '--list',
          `--as=${user}`,
          `--namespace=${ns}`,
        ]);
        for (const row of list.stdout.split('\n').slice(1)) {
          const match = row.match(
            /^(\S+)\s+\[[^\]]*\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]/,
          );
          if (!match || match[1].startsWith('self')) continue;
          for (const verb of match[3].split(' ').filter(Boolean)) {
            allowed.add(`${ns} ${verb} ${match[1]}`);
          }
        }
      }
      const calls = (await cluster.auditEvents())
        .filter(e => e.user.username === user && e.objectRef?.resource)
        .map(e => {
          const ref = e.objectRef!;
          const resource = [
            ref.resource,
            ref.subresource ? `/${ref.subresource}` : '',
            ref.apiGroup ? `.${ref.apiGroup}` : '',
          ].join('');
          // can-i writes a subresource of a group's kind after the group.
          const listed = [
            ref.resource,
            ref.apiGroup ? `.${ref.apiGroup}` : '',
            ref.subresource ? `/${ref.subresource}` : '',
          ].join('');
          return {
            ns: ref.namespace,
            verb: e.verb,
            resource,
            listed,
            code: e.responseStatus?.code,
          };
        });
      expect(calls.length).toBeGreaterThan(0);
      // Nothing the code called was refused ...
      expect(calls.filter(c => c.code === 403)).toEqual([]);
      // ... and each call is allowed by what can-i lists (cluster-wide rules show in every namespace).
      const unlisted = calls.filter(c =>
        (c.ns ? [c.ns] : namespaces).every(
          ns =>
            !allowed.has(`${ns} ${c.verb} ${c.resource}`) &&
            !allowed.has(`${ns} ${c.verb} ${c.listed}`) &&
            !allowed.has(
              `${ns} ${c.verb} ${c.resource.replace(/\/[^.]+/, '')}`,
            ),
        ),
      );
      expect(unlisted).toEqual([]);
    }
  });
});
