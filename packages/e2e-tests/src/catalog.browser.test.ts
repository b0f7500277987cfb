import { Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { launchBrowser, screenshot, signInAsGuest } from './browser';
import { RunningPortico, startPortico } from './startPortico';

jest.setTimeout(300_000);

describe('Portico in a browser, as `npm start` runs it', () => {
  let portico: RunningPortico;
  let browser: Browser;

  beforeAll(async () => {
    portico = await startPortico();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await portico?.stop();
  });

  it('shows the demo catalog with edge-api after guest sign-in', async () => {
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
    });
    await signInAsGuest(page, portico.appUrl);
    await page.goto(
      `${portico.appUrl}/catalog?filters[kind]=component&filters[user]=all`,
    );
    const row = page.getByRole('row').filter({ hasText: 'edge-api' });
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toContain('team-payments');
    expect(existsSync(await screenshot(page, 'catalog'))).toBe(true);
  });

  it('serves the demo entities from the backend to a signed-in user only', async () => {
    const anonymous = await fetch(`${portico.backendUrl}/api/catalog/entities`);
    expect(anonymous.status).toBe(401);

    const session = await fetch(
      `${portico.backendUrl}/api/auth/guest/refresh?env=development`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    const { backstageIdentity } = await session.json();
    expect(backstageIdentity.identity.ownershipEntityRefs).toContain(
      'group:default/team-payments',
    );
    const entities = await fetch(
      `${portico.backendUrl}/api/catalog/entities/by-name/component/default/edge-api`,
      { headers: { Authorization: `Bearer ${backstageIdentity.token}` } },
    );
    expect(entities.status).toBe(200);
  });
});
