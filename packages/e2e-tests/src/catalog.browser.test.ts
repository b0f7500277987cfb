import { Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { launchBrowser, screenshot, signInAs } from './browser';
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

  it('shows the demo catalog with edge-api after signing in as alice', async () => {
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
    });
    await page.goto(portico.appUrl);
    await page.getByRole('button', { name: 'Sign in as pat' }).waitFor();
    await screenshot(page, 'sign-in');
    await signInAs(page, portico.appUrl, 'alice');
    await page.goto(
      `${portico.appUrl}/catalog?filters[kind]=component&filters[user]=all`,
    );
    const row = page.getByRole('row').filter({ hasText: 'edge-api' });
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toContain('team-payments');
    expect(existsSync(await screenshot(page, 'catalog'))).toBe(true);
  });

  async function demoSession(user: string | undefined) {
    return fetch(
      `${portico.backendUrl}/api/auth/demo/refresh?env=development`,
      {
        headers: {
          'X-Requested-With': 'XMLHttpRequest',
          ...(user ? { 'x-portico-demo-user': user } : {}),
        },
      },
    );
  }

  it('serves the demo entities from the backend to a signed-in user only', async () => {
    const anonymous = await fetch(`${portico.backendUrl}/api/catalog/entities`);
    expect(anonymous.status).toBe(401);

    const session = await demoSession('user:default/alice');
    expect(session.status).toBe(200);
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

  it('signs each demo user in with their catalog groups, and nobody else', async () => {
    const pat = await (await demoSession('pat')).json();
    expect(pat.backstageIdentity.identity).toMatchObject({
      userEntityRef: 'user:default/pat',
      ownershipEntityRefs: expect.arrayContaining([
        'group:default/platform-team',
      ]),
    });

    const stranger = await demoSession('user:default/mallory');
    expect(stranger.status).toBe(403);
    await expect(stranger.text()).resolves.toContain(
      'user:default/mallory is not one of the demo users',
    );
    expect((await demoSession(undefined)).status).toBe(400);
  });
});
