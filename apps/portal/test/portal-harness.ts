import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { startProcess, stopProcess, type HarnessStack } from '@supergraph/testing';
import { launchChromium } from '../../../router/test/chromium';

export const REPO_ROOT = resolve(__dirname, '../../..');
const ARTIFACTS = join(REPO_ROOT, '.artifacts/portal');
export const PASSWORD = 'a long enough password';

/** Builds the portal when its inputs changed (up to date already after scripts/setup.sh). */
export async function buildPortal(): Promise<void> {
  await promisify(execFile)('bash', [join(REPO_ROOT, 'scripts/build-portal.sh')], { cwd: REPO_ROOT });
}

/** The production build served by `next start` on `port`, in front of the router at `routerGraphqlUrl`; stopped with `stack`. */
export async function startPortal(stack: HarnessStack, routerGraphqlUrl: string, port: number): Promise<string> {
  const url = `http://127.0.0.1:${port}`;
  const portal = await startProcess({
    name: 'the portal',
    command: join(REPO_ROOT, 'node_modules/.bin/next'),
    args: ['start', 'apps/portal', '--port', String(port), '--hostname', '127.0.0.1'],
    spawn: {
      cwd: REPO_ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORTAL_ROUTER_URL: routerGraphqlUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
    answers: async () => (await fetch(`${url}/login`)).ok,
  });
  stack.defer(() => stopProcess(portal));
  return url;
}

/** Headless Chromium, closed with `stack`. */
export async function startBrowser(stack: HarnessStack): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launchChromium();
  stack.defer(() => browser.close());
  return browser;
}

/** A screenshot of the whole page in .artifacts/portal/. */
export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Fills the page's form (the one in main: the header has the sign-out form) and submits it. */
export async function fillAndSubmit(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(fields)) await page.fill(`main [name=${name}]`, value);
  await page.click('main button[type=submit]');
}

/** The messages the page shows for what went wrong (Next.js's route announcer is an alert too). */
export const errorsOf = (page: Page) => page.locator('.errors[role=alert]');

/** A new page signed in as `email` on the portal at `portalUrl`, on the dashboard. */
export async function signedInPage(browser: Browser, portalUrl: string, email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${portalUrl}/login`);
  await fillAndSubmit(page, { email, password: PASSWORD });
  await page.waitForURL(`${portalUrl}/dashboard`);
  return page;
}

/** What anyone but an admin gets on `page` (signed in, on the dashboard): no Admin link, and /admin shows the router's refusal, no users. */
export async function expectAdminAreaRefused(page: Page, portalUrl: string): Promise<void> {
  expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
  await page.goto(`${portalUrl}/admin`);
  expect(await errorsOf(page).textContent()).toBe('This area is for administrators only.');
  expect(await page.getByRole('table').count()).toBe(0);
}
