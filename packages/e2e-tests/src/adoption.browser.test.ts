import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { startTestCluster, TestCluster } from '@portico/test-cluster';
import { launchBrowser, screenshot, signInAs } from './browser';
import { repoRoot, RunningPortico, startPortico } from './startPortico';

jest.setTimeout(600_000);

const SLOW = { timeout: 90_000 };

/**
 * Adoption from the admin page's Clusters tab, in headless Chromium against the
 * real app and backend, whose reconciler reads a real kube-apiserver (as the
 * portal's ServiceAccount) that plays a cluster already running MetalLB: its
 * Services hold addresses no grant covers. TEST-NET data in Service status only.
 */
describe('adoption in a browser', () => {
  let cluster: TestCluster;
  let portico: RunningPortico;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster({
      crds: [join(repoRoot, 'deploy/crds')],
      namespaces: ['payments', 'orphans', 'metallb-system'],
    });
    await cluster.apply([join(repoRoot, 'deploy/rbac/portal.yaml')]);
    await cluster.apply([
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'edge', namespace: 'metallb-system' },
        spec: { addresses: ['192.0.2.10-192.0.2.29'] },
      } as any,
      ...[
        ['payments', 'checkout', '192.0.2.11'],
        ['payments', 'search', '192.0.2.12'],
        ['orphans', 'forgotten', '192.0.2.13'],
      ].map(
        ([namespace, name]) =>
          ({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name, namespace },
            spec: {
              type: 'LoadBalancer',
              selector: { app: name },
              ports: [{ port: 443, protocol: 'TCP' }],
            },
          } as any),
      ),
    ]);
    for (const [namespace, name, ip] of [
      ['payments', 'checkout', '192.0.2.11'],
      ['payments', 'search', '192.0.2.12'],
      ['orphans', 'forgotten', '192.0.2.13'],
    ]) {
      await cluster.kubectl([
        'patch',
        'service',
        name,
        '-n',
        namespace,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { loadBalancer: { ingress: [{ ip }] } } }),
      ]);
    }
    const token = await cluster.serviceAccountToken(
      'kube-system',
      'portico-portal',
    );
    portico = await startPortico({
      extraConfig: {
        exposure: {
          segments: [
            {
              name: 'dc1-edge',
              cidrs: ['192.0.2.0/24'],
              reserved: ['192.0.2.1-192.0.2.9'],
              clusters: ['demo'],
            },
          ],
          pools: [
            {
              name: 'edge',
              segment: 'dc1-edge',
              intent: 'internal',
              addresses: ['192.0.2.10-192.0.2.29'],
              advertisement: { type: 'l2' },
            },
          ],
          kubernetes: {
            intervalSeconds: 2,
            adoption: {
              namespaceOwners: [
                { namespace: 'payments', owner: 'group:default/team-payments' },
              ],
            },
          },
        },
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [cluster.backstageCluster({ name: 'demo', token })],
            },
          ],
        },
      },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await portico?.stop();
    await cluster?.stop();
  });

  it('the platform admin runs a dry run, reviews it and adopts', async () => {
    try {
      const context = await browser.newContext({
        viewport: { width: 1400, height: 1000 },
      });
      page = await context.newPage();
      await signInAs(page, portico.appUrl, 'pat');
      await page.goto(`${portico.appUrl}/exposure/admin?tab=clusters`);
      await page.getByRole('button', { name: 'Dry run' }).click(SLOW);
      await page.getByText('Dry run of demo: nothing written.').waitFor(SLOW);
      await page.getByText('Would adopt (2)').waitFor();
      await page.getByText('payments/checkout').first().waitFor();
      await page.getByText('no-owner').waitFor();
      await page.getByText('orphans/forgotten: 192.0.2.13').waitFor();
      await screenshot(page, 'adoption-dry-run');

      await page.getByRole('button', { name: 'Adopt 2 Services' }).click();
      await page.getByText('Adopted 2 Services of demo.').waitFor(SLOW);
      await screenshot(page, 'adoption-adopted');

      // The reconciler grants them in the cluster, at the addresses they hold.
      const deadline = Date.now() + 60_000;
      let grants: Array<{
        spec: { service: { name: string }; addresses: string[] };
      }> = [];
      while (Date.now() < deadline) {
        grants = JSON.parse(
          (
            await cluster.kubectl([
              'get',
              'exposuregrants.portico.dev',
              '-o',
              'json',
            ])
          ).stdout,
        ).items;
        if (grants.length === 2) break;
        await new Promise(r => setTimeout(r, 500));
      }
      expect(
        grants.map(g => [g.spec.service.name, g.spec.addresses]).sort(),
      ).toEqual([
        ['checkout', ['192.0.2.11']],
        ['search', ['192.0.2.12']],
      ]);

      // A second dry run: both are managed now, only the orphan is left.
      await page.getByRole('button', { name: 'Dry run' }).click();
      await page.getByText('Would adopt (0)').waitFor(SLOW);
      await page.getByText('already-managed').first().waitFor();
      await screenshot(page, 'adoption-after');
    } catch (error) {
      if (page) await screenshot(page, 'adoption-failure').catch(() => {});
      throw error;
    }
  });
});
