/**
 * The portal's live views and admin tools in headless Chromium against the real router, users,
 * projects (with its in-process task worker) and blockchain subgraphs on a local EVM. Live views
 * subscribe over graphql-ws straight to the router with one-time socket tickets the portal's server
 * asks for, so the page never holds the access token. Screenshots go to .artifacts/portal/.
 */
import type { Browser, Page } from 'playwright-core';
import { LoginDocument, RegisterDocument } from '../../../clients/generated/graphql';
import { bearer, execute, freePort, graphql } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { eventually } from '@supergraph/blockchain/test/chain';
import { startChainStack, type ChainStack } from '../../../e2e/test/chain-stack';
import { fundWallet, linkFreshWallet } from '../../../e2e/test/forge-wallets';
import { TestStack } from '../../../e2e/test/stack';
import { chromiumAvailable } from '../../../router/test/chromium';
import { buildPortal, expectAdminAreaRefused, fillAndSubmit, PASSWORD, screenshot, signedInPage, startBrowser, startPortal } from './portal-harness';

jest.setTimeout(120_000);

(chromiumAvailable ? describe : describe.skip)('the portal live, in headless Chromium', () => {
  const stack = new TestStack();
  let chain: ChainStack;
  let routerGraphqlUrl: string;
  let portalUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    await buildPortal();
    const users = await stack.add(startUsersHarness({ ADMIN_EMAILS: 'admin@example.com' }));
    const projects = await stack.projects();
    chain = await stack.add(startChainStack('portal_blockchain'));
    // The router admits socket tickets only from the portal's origin: it must know the port first.
    const port = await freePort();
    ({ url: routerGraphqlUrl } = await stack.router(
      { users: users.url, projects: `${projects.url}/graphql`, blockchain: `${chain.blockchain.url}/graphql` },
      { CORS_ORIGINS: `http://127.0.0.1:${port}` },
    ));
    portalUrl = await startPortal(stack, routerGraphqlUrl, port);
    browser = await startBrowser(stack);
    for (const email of ['lin@example.com', 'admin@example.com']) await execute(routerGraphqlUrl, RegisterDocument, { email, password: PASSWORD });
  }, 240_000);
  afterAll(() => stack.stop());

  /** Marks the page's window: the mark survives anything but a reload or a navigation. */
  const markWindow = (page: Page) => page.evaluate('window.__notReloaded = true');
  const stillSameWindow = (page: Page) => page.evaluate('window.__notReloaded === true');

  it('creates a project, adds a file, and shows a submitted task go QUEUED → RUNNING → SUCCEEDED without a reload', async () => {
    const page = await signedInPage(browser, portalUrl, 'lin@example.com');
    await page.goto(`${portalUrl}/projects`);
    await fillAndSubmit(page, { name: 'Live tasks', description: 'Watching a build run' });
    await page.getByRole('link', { name: 'Live tasks' }).click();
    await page.getByRole('heading', { name: 'Live tasks' }).waitFor();

    await page.fill('main [name=path]', 'src/index.ts');
    await page.fill('main [name=content]', 'export const answer = 42;\n');
    await page.getByRole('button', { name: 'Save file' }).click();
    await page.getByRole('cell', { name: 'src/index.ts' }).waitFor();
    await page.getByText('No tasks yet.').waitFor();

    await page.locator('[data-live=live]').waitFor();
    await markWindow(page);
    await page.selectOption('main [name=kind]', 'BUILD');
    await page.getByRole('button', { name: 'Submit task' }).click();
    // The submission does not render the list again: every status below came over the socket.
    const seen = page.locator('[data-testid=task-seen]');
    await page.getByRole('cell', { name: 'SUCCEEDED', exact: true }).waitFor();
    expect(await seen.allTextContents()).toEqual(['QUEUED → RUNNING → SUCCEEDED']);
    expect(await stillSameWindow(page)).toBe(true);
    await screenshot(page, 'project-tasks-live');

    // A reload shows the same task as the projects subgraph has it.
    await page.reload();
    expect(await page.locator('[data-testid=task-status]').allTextContents()).toEqual(['SUCCEEDED']);
    await page.close();
  });

  it('shows linked wallets with balances and transfers, and each new block as it is mined', async () => {
    const login = await execute(routerGraphqlUrl, LoginDocument, { email: 'lin@example.com', password: PASSWORD });
    const token = login.data!.login.token;
    const wallet = await linkFreshWallet((query, variables) => graphql(routerGraphqlUrl, query, variables, bearer(token)));
    await fundWallet(chain, wallet.address, 5n * 10n ** 18n);

    const page = await signedInPage(browser, portalUrl, 'lin@example.com');
    await page.getByRole('link', { name: 'Wallet' }).click();
    // The platform keeps addresses in lower case.
    await page.locator(`[data-wallet="${wallet.address.toLowerCase()}"]`).waitFor();
    expect(await page.textContent('[data-testid=forge-balance]')).toBe('5 FORGE');
    expect(await page.textContent('[data-testid=eth-balance]')).toBe('1 ETH');
    expect(await page.getByRole('table', { name: 'Recent transfers' }).getByRole('cell', { name: '5 FORGE' }).count()).toBe(1);

    await page.locator('[data-live=live]').waitFor();
    await markWindow(page);
    const head = Number(await page.locator('[data-block]').first().getAttribute('data-block'));
    await chain.chain.mine();
    await page.locator(`[data-block="${head + 1}"]`).waitFor();
    expect(await stillSameWindow(page)).toBe(true);
    await screenshot(page, 'wallet-live');
    await page.close();
  });

  it('lets an admin change a user’s tier, and refuses the admin area to anyone else', async () => {
    const user = await signedInPage(browser, portalUrl, 'lin@example.com');
    await expectAdminAreaRefused(user, portalUrl);
    await user.close();

    const admin = await signedInPage(browser, portalUrl, 'admin@example.com');
    await admin.getByRole('link', { name: 'Admin' }).click();
    const row = admin.locator('[data-user="lin@example.com"]');
    expect(await row.locator('[data-testid=tier]').textContent()).toBe('FREE');
    // Payments is not running here: the fraud scores say so, the rest of the page stands.
    expect(await row.getByRole('cell', { name: 'unavailable' }).count()).toBe(1);
    await row.getByRole('combobox').selectOption('PRO');
    await row.getByRole('button', { name: 'Change' }).click();
    await eventually(async () => ((await row.locator('[data-testid=tier]').textContent()) === 'PRO' ? true : undefined), 15_000, 'the new tier');
    await screenshot(admin, 'admin-tier-changed');

    await admin.reload();
    expect(await admin.locator('[data-user="lin@example.com"] [data-testid=tier]').textContent()).toBe('PRO');
    await admin.close();
  });

  it('hands socket tickets to its own pages only', async () => {
    const ticket = (headers: Record<string, string>) => fetch(`${portalUrl}/socket-ticket`, { method: 'POST', headers });
    expect((await ticket({})).status).toBe(401);
    const page = await signedInPage(browser, portalUrl, 'lin@example.com');
    const [session] = await page.context().cookies();
    const cookie = `${session!.name}=${session!.value}`;
    expect((await ticket({ cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await ticket({ cookie, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const own = await ticket({ cookie, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ ticket: expect.stringMatching(/^[\w-]{43}$/), expiresInMs: 30_000 });
    await page.close();
  });
});
