import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { repoRoot } from './startPortico';

/** Screenshots land here; CI keeps them as artifacts of the run. */
export const artifactsDir = join(repoRoot, 'test-artifacts');

/**
 * Debian's Chromium, headless. The flags keep it from reaching out to the network
 * for updates, sync and field trials (the machines have no network besides loopback).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Picks `user` (alice, pat, …) on the demo sign-in page and waits until the
 * app shell shows.
 */
export async function signInAs(
  page: Page,
  appUrl: string,
  user: string,
): Promise<void> {
  await page.goto(appUrl);
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await page.getByText('Catalog', { exact: false }).first().waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
