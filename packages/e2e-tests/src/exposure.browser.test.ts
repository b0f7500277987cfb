import { readFileSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, signInAs } from './browser';
import { RunningPortico, startPortico } from './startPortico';

jest.setTimeout(600_000);

/** Lazy pages compile on first visit in the dev server; give them time. */
const SLOW = { timeout: 90_000 };
const EDGE_API = 'component:default/edge-api';

/**
 * The exposure workflow end to end, in headless Chromium against the real app and
 * backend: alice of team-payments asks, pat of platform-team approves.
 */
describe('exposure in a browser', () => {
  let portico: RunningPortico;
  let browser: Browser;
  /** The page the flow is on, for a screenshot when a step fails. */
  let current: Page | undefined;

  beforeAll(async () => {
    portico = await startPortico();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await portico?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
    });
    current = await context.newPage();
    return current;
  }

  async function fillRequest(page: Page, ports: string) {
    await page.goto(
      `${portico.appUrl}/exposure/request?entity=${encodeURIComponent(
        EDGE_API,
      )}`,
    );
    await page.locator('#exposure-pool').click(SLOW);
    await page
      .getByRole('option', { name: 'prod-external (production-external)' })
      .click();
    await page.getByLabel(/^Ports/).fill(ports);
    await page
      .getByLabel('Justification')
      .fill('Public payments API for the storefront');
  }

  async function allocatedIn(page: Page, pool: string): Promise<number> {
    const meter = page
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name: pool, exact: true }) })
      .getByRole('meter');
    await meter.waitFor(SLOW);
    return Number(await meter.getAttribute('data-allocated'));
  }

  it('takes a request from alice to an address approved by the platform admin', async () => {
    expect.hasAssertions();
    try {
      await requestApproveAndSee();
    } catch (error) {
      // The page as it was when a step failed, next to the step screenshots.
      if (current)
        await screenshot(current, 'exposure-failure').catch(() => {});
      throw error;
    }
  });

  async function requestApproveAndSee() {
    // --- alice, member of team-payments ---
    const alice = await newPage();
    await signInAs(alice, portico.appUrl, 'alice');

    await alice.goto(`${portico.appUrl}/exposure/admin`);
    await alice.getByText('Not allowed').waitFor(SLOW);
    await screenshot(alice, 'exposure-admin-not-allowed');

    await fillRequest(alice, '443');
    const verdict = alice.getByTestId('verdict');
    await verdict.getByText('Needs approval').first().waitFor(SLOW);
    await expect(verdict.textContent()).resolves.toContain(
      'needs approval by the platform team',
    );
    await alice
      .getByText(/production-external, segment dc1-edge\): 20 free/)
      .waitFor();
    await screenshot(alice, 'exposure-request-verdict');

    await alice.getByRole('button', { name: 'Submit for approval' }).click();
    const result = alice.getByText(/Request for edge-api/);
    await result.waitFor(SLOW);
    await expect(result.textContent()).resolves.toContain('Needs approval');
    await screenshot(alice, 'exposure-request-submitted');

    // A port outside the pool's policy: denied, with the reason, and not submittable.
    await alice.getByRole('button', { name: 'Request another' }).click();
    await fillRequest(alice, '22');
    await verdict.getByText('Denied').first().waitFor(SLOW);
    await expect(verdict.textContent()).resolves.toContain(
      'port 22/TCP is not allowed in pool "prod-external" (allowed: 80, 443)',
    );
    await expect(
      alice.getByRole('button', { name: 'Submit for approval' }).isDisabled(),
    ).resolves.toBe(true);
    await screenshot(alice, 'exposure-request-denied');

    await alice.goto(
      `${portico.appUrl}/catalog/default/component/edge-api/exposure`,
    );
    const pendingRow = alice
      .getByRole('row')
      .filter({ hasText: 'payments/edge-api' });
    await pendingRow.getByText('Needs approval').waitFor(SLOW);
    await screenshot(alice, 'exposure-entity-tab-pending');

    // --- pat, platform admin, in a tab of their own ---
    const pat = await newPage();
    await signInAs(pat, portico.appUrl, 'pat');

    await pat.goto(`${portico.appUrl}/exposure/admin`);
    const before = await allocatedIn(pat, 'prod-external');
    await screenshot(pat, 'exposure-admin-pools-before');

    await pat.getByRole('tab', { name: 'Approvals' }).click();
    const card = pat.locator('[data-testid^="approval-"]').filter({
      hasText: 'payments/edge-api',
    });
    await card.waitFor(SLOW);
    await expect(card.textContent()).resolves.toContain(
      'needs approval by the platform team',
    );
    await card.getByLabel('Comment').fill('Approved for the storefront launch');
    await screenshot(pat, 'exposure-admin-approvals');
    await card.getByRole('button', { name: 'Approve' }).click();
    const approved = pat.getByText(/payments\/edge-api: approved, address /);
    await approved.waitFor(SLOW);
    const address = /address (\S+)/.exec((await approved.textContent())!)![1];
    expect(address).toMatch(/^10\.40\.20\.(1[2-3][0-9])$/);

    await pat.getByRole('tab', { name: 'Pools' }).click();
    await expect(allocatedIn(pat, 'prod-external')).resolves.toBe(before + 1);
    await screenshot(pat, 'exposure-admin-pools-after');

    // The pool table for firewall teams, as the backend renders it.
    const [download] = await Promise.all([
      pat.waitForEvent('download'),
      pat.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('portico-pools.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(/prod-external.*10\.40\.20\.120-10\.40\.20\.139/);

    await pat
      .getByRole('button', { name: 'prod-external', exact: true })
      .click();
    const allocation = pat.getByRole('row').filter({ hasText: address });
    await allocation.waitFor(SLOW);
    await expect(allocation.textContent()).resolves.toContain(
      'payments/edge-api',
    );
    await screenshot(pat, 'exposure-admin-pool-detail');

    await pat.goto(`${portico.appUrl}/exposure/admin?tab=audit`);
    await pat.getByTestId('chain-verification').waitFor(SLOW);
    await expect(
      pat.getByTestId('chain-verification').textContent(),
    ).resolves.toContain('Audit chain intact');
    await screenshot(pat, 'exposure-admin-audit');

    await pat.getByRole('tab', { name: 'Network segments' }).click();
    await pat
      .getByText('Edge VLAN towards the internet firewalls')
      .waitFor(SLOW);
    await screenshot(pat, 'exposure-admin-segments');

    await pat.goto(
      `${portico.appUrl}/catalog/default/component/edge-api/exposure`,
    );
    const activeRow = pat.getByRole('row').filter({ hasText: address });
    await activeRow.waitFor(SLOW);
    const text = await activeRow.textContent();
    expect(text).toContain('Active');
    await activeRow.getByRole('cell', { name: 'pat', exact: true }).waitFor();
    expect(text).toContain('prod-external');
    await screenshot(pat, 'exposure-entity-tab-active');

    await pat.goto(`${portico.appUrl}/catalog/default/component/edge-api`);
    await pat.getByText(address).first().waitFor(SLOW);
    await screenshot(pat, 'exposure-entity-card');

    // Released with a comment (pat holds release-any): the address goes back.
    await pat.goto(
      `${portico.appUrl}/catalog/default/component/edge-api/exposure`,
    );
    await activeRow.getByRole('button', { name: 'Release' }).click(SLOW);
    const dialog = pat.getByRole('dialog');
    await dialog.getByLabel('Comment').fill('Storefront moved behind the CDN');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await activeRow.getByText('Released').waitFor(SLOW);
    await pat.goto(`${portico.appUrl}/exposure/admin`);
    await expect(allocatedIn(pat, 'prod-external')).resolves.toBe(before);
  }
});
