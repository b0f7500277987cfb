import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  KubeObject,
  renderDeploy,
  startTestCluster,
  TestCluster,
} from '@portico/test-cluster';
import { stringify } from 'yaml';

jest.setTimeout(180_000);

const CRDS = resolve(__dirname, '../../deploy/crds');
const METALLB_CRDS = resolve(
  __dirname,
  '../../packages/test-cluster/fixtures/metallb-v0.16.2',
);

/** deploy/'s admission policies and what they read (the settings ConfigMap), RBAC too. */
async function admissionObjects() {
  const rendered = await renderDeploy();
  return rendered.filter(o =>
    [
      'Namespace',
      'ConfigMap',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ].includes(o.kind),
  );
}

// `kubectl apply` of bad objects against a real API server running the
// ValidatingAdmissionPolicies of deploy/admission: refused at once, with a message
// that names the field. Addresses are TEST-NET data; nothing is sent anywhere.
describe('admission policies of deploy/ on a real API server', () => {
  let cluster: TestCluster;
  let portalKubeconfig: string;

  const apply = (object: unknown, kubeconfigPath?: string) =>
    cluster.kubectl(['apply', '-f', '-'], {
      input: stringify(object),
      kubeconfigPath,
    });
  const expectRefused = async (object: unknown, message: string) => {
    const result = await apply(object);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  };

  const pool = (addresses: string[]) => ({
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'pool', namespace: 'metallb-system' },
    spec: { addresses },
  });

  const grant = (spec: Record<string, unknown> = {}) => ({
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ExposureGrant',
    metadata: { name: 'edge-api' },
    spec: {
      service: { namespace: 'default', name: 'edge-api' },
      addresses: ['192.0.2.5'],
      pool: 'pool',
      requestId: 'req-1',
      owner: 'group:default/team-payments',
      ...spec,
    },
  });

  beforeAll(async () => {
    cluster = await startTestCluster({
      crds: [CRDS],
      objects: [
        ...(await admissionObjects()),
        resolve(__dirname, '../../deploy/rbac/portal.yaml'),
      ],
    });
    const token = await cluster.serviceAccountToken(
      'kube-system',
      'portico-portal',
    );
    // The policies take effect a moment after they are created.
    await cluster.untilRefused(grant() as KubeObject);
    await cluster.untilRefused(pool(['192.0.2.20-192.0.2.10']) as KubeObject);
    portalKubeconfig = `${cluster.kubeconfigPath}.portal`;
    await writeFile(portalKubeconfig, cluster.kubeconfigFor(token));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('IPAddressPool: every entry is a CIDR or an ordered range of one family', async () => {
    await expectRefused(
      pool(['192.0.2.20-192.0.2.10']),
      'spec.addresses: 192.0.2.20-192.0.2.10: the range starts after it ends',
    );
    await expectRefused(
      pool(['198.51.100.0/24', 'not-an-address']),
      'spec.addresses: not-an-address: each entry must be a CIDR',
    );
    await expectRefused(
      pool(['192.0.2.1-2001:db8::1']),
      'spec.addresses: 192.0.2.1-2001:db8::1: each entry must be a CIDR',
    );
    await expectRefused(pool(['192.0.2.0/33']), 'spec.addresses: 192.0.2.0/33');
    const good = await apply(
      pool([
        '192.0.2.0/28',
        '192.0.2.100 - 192.0.2.110',
        '2001:db8::/120',
        '2001:db8::10-2001:db8::20',
      ]),
    );
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  const peer = (spec: Record<string, unknown>) => ({
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'tor', namespace: 'metallb-system' },
    spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec },
  });

  it('BGPPeer: addresses, ASNs and timers in range', async () => {
    await expectRefused(
      peer({ myASN: 0 }),
      'spec.myASN: must be between 1 and 4294967295',
    );
    await expectRefused(
      peer({ peerAddress: '192.0.2.300' }),
      'spec.peerAddress: 192.0.2.300 is not an IP address',
    );
    await expectRefused(
      peer({ holdTime: '1s' }),
      'spec.holdTime: 1s must be a duration of 0 or between 3s and 65535s',
    );
    await expectRefused(
      peer({ holdTime: '9s', keepaliveTime: '30s' }),
      'spec.keepaliveTime: 30s is longer than spec.holdTime 9s',
    );
    await expectRefused(
      peer({ keepaliveTime: 'soon' }),
      'spec.keepaliveTime: soon is not a duration',
    );
    await expectRefused(
      peer({ routerID: '2001:db8::1' }),
      'spec.routerID: 2001:db8::1 is not an IPv4 address',
    );
    const good = await apply(peer({ holdTime: '90s', keepaliveTime: '30s' }));
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  it('ExposureGrant: written only by the portal, naming addresses and a pool', async () => {
    await expectRefused(
      grant(),
      'ExposureGrants are written only by the Portico portal (system:serviceaccount:kube-system:portico-portal), not by admin',
    );
    const asPortal = async (object: unknown, message: string) => {
      const result = await apply(object, portalKubeconfig);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(message);
    };
    // The CRD's schema says it first.
    await asPortal(
      grant({ addresses: [] }),
      'spec.addresses in body should have at least 1 items',
    );
    await asPortal(
      grant({ addresses: ['192.0.2.5', 'nowhere'] }),
      'spec.addresses: nowhere is not an IP address',
    );
    await asPortal(grant({ pool: '' }), 'spec.pool: a grant names the');
    const good = await apply(grant(), portalKubeconfig);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    // An administrator may still remove a grant.
    const removed = await cluster.kubectl([
      'delete',
      'exposuregrant',
      'edge-api',
    ]);
    expect(removed.code).toBe(0);
  });

  it("holds for MetalLB's own CRDs too", async () => {
    const metallb = await startTestCluster({
      crds: [METALLB_CRDS],
      objects: await admissionObjects(),
    });
    try {
      await metallb.untilRefused(
        pool(['203.0.113.90-203.0.113.80']) as KubeObject,
      );
      const result = await metallb.kubectl(['apply', '-f', '-'], {
        input: stringify(pool(['203.0.113.90-203.0.113.80'])),
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        'spec.addresses: 203.0.113.90-203.0.113.80: the range starts after it ends',
      );
    } finally {
      await metallb.stop();
    }
  });
});
