import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { LoginDocument, RegisterDocument, SetUserTierDocument } from '../../clients/generated/graphql';
import { bearer, execute } from '@supergraph/testing';
import { chromiumAvailable, launchChromium } from './chromium';
import { startPlatform, type PlatformHarness } from './harness';

(chromiumAvailable ? describe : describe.skip)('live dashboard in headless Chromium', () => {
  let platform: PlatformHarness;
  let browser: Browser;

  beforeAll(async () => {
    platform = await startPlatform({ ADMIN_EMAILS: 'admin@example.com' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('signs in and shows a change made by a mutation during the test, live', async () => {
    const password = 'a long enough password';
    const viewer = (await execute(platform.graphqlUrl, RegisterDocument, { email: 'viewer@example.com', password })).data!.register;
    await execute(platform.graphqlUrl, RegisterDocument, { email: 'admin@example.com', password });
    const admin = (await execute(platform.graphqlUrl, LoginDocument, { email: 'admin@example.com', password })).data!.login;

    const page = await browser.newPage();
    await page.goto(`${platform.routerUrl}/dashboard`);
    await page.fill('input[name=email]', 'viewer@example.com');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#account dl', { state: 'attached' });
    await page.waitForFunction("document.getElementById('status')?.dataset.live === 'true'");
    await new Promise((resolve) => setTimeout(resolve, 1000));

    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: viewer.user.id, tier: 'ENTERPRISE' }, bearer(admin.token));
    await page.waitForSelector('#account dd[data-field=tier]');
    expect(await page.textContent('#account dd[data-field=tier]')).toBe('ENTERPRISE');
    expect(await page.textContent('#account dd[data-field=email]')).toBe('viewer@example.com');
    await page.screenshot({ path: join(tmpdir(), 'dashboard.png') });
  }, 60_000);

  it('says why a sign-in failed', async () => {
    const page = await browser.newPage();
    await page.goto(`${platform.routerUrl}/dashboard`);
    await page.fill('input[name=email]', 'nobody@example.com');
    await page.fill('input[name=password]', 'wrong password here');
    await page.click('button[type=submit]');
    await page.waitForFunction("(document.getElementById('sign-in-error')?.textContent ?? '').length > 0");
    expect(await page.textContent('#sign-in-error')).toMatch(/incorrect/);
  }, 60_000);
});
