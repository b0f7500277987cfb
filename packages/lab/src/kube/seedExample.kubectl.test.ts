/*
 * The source article's manifests (DESIGN.md §4) applied with kubectl, as written,
 * to a real kube-apiserver with Portico installed from deploy/, and the node
 * agent's controller running as its own ServiceAccount: in audit mode the Service
 * gets an address from the pool as MetalLB would give it; in enforce mode only
 * once the portal writes a grant. Loopback only; no root needed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, TestCluster } from '@portico/test-cluster';
import { freePort } from '../Lab';
import { waitFor } from '../exec';
import { NamespacedProcess } from '../nodes/NamespacedProcess';
import { AGENT_BIN, CRD_DIR, REPO_ROOT } from '../paths';
import { LabAccount, mintTokens, porticoInstallObjects } from './labIdentities';

jest.setTimeout(60_000);

/**
 * DESIGN.md §4's three objects, unchanged but for the pool's range, which moves
 * from 10.40.20.120-10.40.20.139 to TEST-NET-3 (RFC 5737) for a test against an
 * API server. The Service names no namespace: it lands in `default`.
 */
const SEED = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: prod-external, namespace: metallb-system}
spec: {addresses: [203.0.113.120-203.0.113.139]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: prod-external, namespace: metallb-system}
spec: {ipAddressPools: [prod-external]}
---
apiVersion: v1
kind: Service
metadata:
  name: edge-api
  annotations: {metallb.universe.tf/address-pool: prod-external}
spec:
  type: LoadBalancer
  selector: {app: edge-api}
  ports: [{port: 443, targetPort: 8443}]
`;

/** The grant the portal writes once the request for edge-api is approved. */
const GRANT = `apiVersion: portico.dev/v1alpha1
kind: ExposureGrant
metadata: {name: edge-api-default}
spec:
  service: {namespace: default, name: edge-api}
  addresses: [203.0.113.125]
  pool: prod-external
  requestId: req-edge-api
  owner: group:default/team-payments
`;

describe('the source article’s manifests on a real API server', () => {
  let cluster: TestCluster;
  let dir: string;
  const kubeconfigs = {} as Record<LabAccount, string>;
  let controller: NamespacedProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-seed-'));
    cluster = await startTestCluster({ crds: [CRD_DIR] });
    await cluster.apply(await porticoInstallObjects());
    const tokens = await mintTokens(cluster);
    for (const account of Object.keys(tokens) as LabAccount[]) {
      kubeconfigs[account] = join(dir, `${account}.kubeconfig`);
      await writeFile(
        kubeconfigs[account],
        cluster.kubeconfigFor(tokens[account]),
        {
          mode: 0o600,
        },
      );
    }
  }, 120_000);

  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function kubectl(args: string[], input?: string): Promise<string> {
    const result = await cluster.kubectl(args, { input });
    if (result.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    }
    return result.stdout;
  }

  async function startController(
    mode: 'audit' | 'enforce',
    extra: string[] = [],
  ) {
    controller = new NamespacedProcess(
      `controller (${mode})`,
      undefined,
      AGENT_BIN,
      [
        'controller',
        '--kubeconfig',
        kubeconfigs.controller,
        '--mode',
        mode,
        '--listen',
        `127.0.0.1:${await freePort()}`,
        '--lease-duration',
        '4s',
        '--renew-deadline',
        '3s',
        '--retry-period',
        '1s',
        ...extra,
      ],
      { cwd: REPO_ROOT },
    );
  }

  const ingress = () =>
    kubectl([
      'get',
      'service',
      'edge-api',
      '-o',
      'jsonpath={.status.loadBalancer.ingress[*].ip}',
    ]);

  const ingressBecomes = (want: string) =>
    waitFor(
      `edge-api's ingress to be "${want}" (controller: ${controller?.output(
        5,
      )})`,
      async () => ((await ingress()) === want ? want : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    );

  const eventOnEdgeApi = (reason: string) =>
    waitFor(
      `an Event ${reason} on edge-api`,
      async () => {
        const events = JSON.parse(
          await kubectl([
            'get',
            'events',
            '--field-selector',
            `involvedObject.name=edge-api,reason=${reason}`,
            '-o',
            'json',
          ]),
        ) as { items: Array<{ message: string; type: string }> };
        return events.items[0];
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

  it('kubectl apply takes the manifests as written, and again unchanged', async () => {
    expect(await kubectl(['apply', '-f', '-'], SEED)).toBe(
      [
        'ipaddresspool.metallb.io/prod-external created',
        'l2advertisement.metallb.io/prod-external created',
        'service/edge-api created',
        '',
      ].join('\n'),
    );
    expect(await kubectl(['apply', '-f', '-'], SEED)).toBe(
      [
        'ipaddresspool.metallb.io/prod-external unchanged',
        'l2advertisement.metallb.io/prod-external unchanged',
        'service/edge-api unchanged',
        '',
      ].join('\n'),
    );
  });

  it('audit: the Service gets the pool’s first address, with an Event saying no grant covers it', async () => {
    await startController('audit');
    await ingressBecomes('203.0.113.120');
    const report = await eventOnEdgeApi('NotGranted');
    expect(report.message).toMatch(/audit mode/);
  });

  it('enforce: the address goes when its grace period ends, until the portal grants one; a grant from anyone else is refused', async () => {
    // Zero-outage switch: the ungranted address is kept for the grace period
    // (shortened here), with a Warning Event, then removed.
    await startController('enforce', ['--enforce-grace', '3s']);
    const grace = await eventOnEdgeApi('UngrantedGracePeriod');
    expect(grace.message).toMatch(/keeps working until/);
    await ingressBecomes('');

    const byAdmin = await cluster.kubectl(['apply', '-f', '-'], {
      input: GRANT,
    });
    expect(byAdmin.code).not.toBe(0);
    expect(byAdmin.stderr).toContain(
      'ExposureGrants are written only by the Portico portal (system:serviceaccount:kube-system:portico-portal), not by admin',
    );

    const byPortal = await cluster.kubectl(['apply', '-f', '-'], {
      input: GRANT,
      kubeconfigPath: kubeconfigs.portal,
    });
    expect(byPortal.stderr).toBe('');
    expect(byPortal.stdout).toBe(
      'exposuregrant.portico.dev/edge-api-default created\n',
    );
    await ingressBecomes('203.0.113.125');
  });
});
