/**
 * The portal in headless Chromium against the real router and subgraphs (users, projects, the Python
 * AI subgraph, whose local model streams a generation into the page; payments and blockchain are left
 * out, so the dashboard's holdings part shows how a failed deferred part reads). The production build
 * (`next build`, skipped when nothing changed) is served by `next start`.
 * Screenshots of the main pages go to .artifacts/portal/.
 */
import type { Browser } from 'playwright-core';
import { PortalCreateProjectDocument, RegisterDocument } from '../../../clients/generated/graphql';
import { bearer, execute, freePort } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { TestStack } from '../../../e2e/test/stack';
import { chromiumAvailable } from '../../../router/test/chromium';
import {
  buildPortal,
  errorsOf,
  expectAdminAreaRefused,
  fillAndSubmit,
  gatedProxy,
  PASSWORD,
  screenshot,
  signedInPage,
  startBrowser,
  startPortal,
} from './portal-harness';

jest.setTimeout(120_000);

(chromiumAvailable ? describe : describe.skip)('the portal in headless Chromium', () => {
  const stack = new TestStack();
  let routerGraphqlUrl: string;
  let portalUrl: string;
  let browser: Browser;
  let aiGate: Awaited<ReturnType<typeof gatedProxy>>;

  beforeAll(async () => {
    await buildPortal();
    const users = await stack.add(startUsersHarness({ ADMIN_EMAILS: 'admin@example.com' }));
    const projects = await stack.projects();
    const ai = await stack.aiFollowing(`${projects.url}/graphql`, users.config.routerSigningSecret);
    aiGate = await gatedProxy(ai);
    stack.defer(() => aiGate.close());
    // The router admits the page's socket tickets (streamed generation) only from the portal's origin.
    const port = await freePort();
    ({ url: routerGraphqlUrl } = await stack.router(
      { users: users.url, projects: `${projects.url}/graphql`, ai: aiGate.url },
      { CORS_ORIGINS: `http://127.0.0.1:${port}` },
    ));
    portalUrl = await startPortal(stack, routerGraphqlUrl, port);
    browser = await startBrowser(stack);
  }, 240_000);
  afterAll(() => stack.stop());

  it('registers, lands on the dashboard with the account, and keeps the token out of reach of scripts', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portalUrl}/register`);
    await screenshot(page, 'register');
    await fillAndSubmit(page, { displayName: 'Ada', email: 'ada@example.com', password: PASSWORD });
    await page.waitForURL(`${portalUrl}/dashboard`);
    await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
    expect(await page.textContent('[data-testid=tier]')).toBe('FREE');

    const [session] = await context.cookies();
    expect(session).toMatchObject({ name: 'portal_session', httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate('document.cookie')).toBe('');
    await context.close();
  });

  it('signs in, says in words why a sign-in failed, and signs out', async () => {
    const page = await browser.newPage();
    await page.goto(`${portalUrl}/login`);
    await fillAndSubmit(page, { email: 'ada@example.com', password: 'not the password at all' });
    await errorsOf(page).waitFor();
    expect(await errorsOf(page).textContent()).toBe('That email and password do not match an account.');
    await screenshot(page, 'sign-in-failed');

    await fillAndSubmit(page, { email: 'ada@example.com', password: PASSWORD });
    await page.waitForURL(`${portalUrl}/dashboard`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${portalUrl}/login`);
    await page.goto(`${portalUrl}/projects`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.close();
  });

  it('creates a project and lists it; the dashboard then recommends a similar public one in its deferred part', async () => {
    // Someone else's public project for the recommendations to find.
    const other = await execute(routerGraphqlUrl, RegisterDocument, { email: 'grace@example.com', password: PASSWORD });
    await execute(
      routerGraphqlUrl,
      PortalCreateProjectDocument,
      { name: 'GraphQL gateway', description: 'Federation of GraphQL subgraphs behind one API', visibility: 'PUBLIC' },
      bearer(other.data!.register.token),
    );

    const page = await signedInPage(browser, portalUrl, 'ada@example.com');
    await page.getByRole('link', { name: 'Projects' }).first().click();
    await page.getByText('No projects yet').waitFor();
    await fillAndSubmit(page, { name: 'Federated router', description: 'Composing GraphQL subgraphs into one supergraph' });
    await page.getByRole('cell', { name: 'Federated router' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Composing GraphQL subgraphs into one supergraph' }).count()).toBe(1);
    await screenshot(page, 'projects');

    // The AI subgraph indexes projects from the projects feed on its own schedule: reload until it has.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.goto(`${portalUrl}/dashboard`);
      const recommendations = page.locator('[data-part=recommendations]');
      await recommendations.waitFor();
      if ((await recommendations.textContent())?.includes('GraphQL gateway') || Date.now() > deadline) break;
      await new Promise((done) => setTimeout(done, 500));
    }
    expect(await page.locator('[data-part=recommendations] li strong').allTextContents()).toEqual(['GraphQL gateway']);
    // Payments is not running here: its deferred part says so, and the rest of the page stands.
    expect(await page.getByText('Your $FORGE holdings could not be loaded.').textContent()).toContain('Part of the platform is unavailable right now.');
    expect(await page.textContent('[data-testid=tier]')).toBe('FREE');
    await screenshot(page, 'dashboard');

    // With the AI subgraph's answers held back, the page is there and usable, its recommendations still to come.
    aiGate.hold();
    await page.goto(`${portalUrl}/dashboard`, { waitUntil: 'commit' });
    await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
    await page.getByText('Finding projects like yours…').waitFor();
    expect(await page.locator('[data-part=recommendations]').count()).toBe(0);
    await screenshot(page, 'dashboard-before-recommendations');
    aiGate.release();
    await page.locator('[data-part=recommendations]').waitFor();
    expect(await page.locator('[data-part=recommendations] li strong').allTextContents()).toEqual(['GraphQL gateway']);
    await page.close();
  });

  it('finds projects by meaning, and streams a generated reply into the page as the model writes it', async () => {
    const page = await signedInPage(browser, portalUrl, 'ada@example.com');
    await page.getByRole('link', { name: 'AI', exact: true }).click();
    await page.fill('main [name=q]', 'a federated GraphQL API');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    expect(await results.getByRole('link').allTextContents()).toContain('GraphQL gateway');

    await page.fill('main [name=prompt]', 'Write one sentence about graphs.');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.locator('[data-generation=done]').waitFor({ timeout: 90_000 });
    const reply = page.locator('[data-generation]');
    // Chunk by chunk over the page's own socket (opened with a ticket), not one answer at the end.
    expect(Number(await reply.getAttribute('data-chunks'))).toBeGreaterThan(1);
    expect((await reply.locator('.reply').textContent())?.trim()).not.toBe('');
    await screenshot(page, 'ai');
    await page.close();
  });

  it('shows the payments page with payments and blockchain away, saying what could not be loaded beside the rest', async () => {
    const page = await signedInPage(browser, portalUrl, 'ada@example.com');
    await page.goto(`${portalUrl}/payments`);
    // The ledger and the treasury's address come from subgraphs that are away: each says so, and the forms stay usable.
    expect(await page.getByText('Your staking ledger could not be loaded.').textContent()).toContain('Part of the platform is unavailable right now.');
    expect(await page.getByText("The treasury's address could not be loaded.").textContent()).toContain('Part of the platform is unavailable right now.');
    expect(await page.getByRole('button', { name: 'Pay', exact: true }).count()).toBe(1);
    await screenshot(page, 'payments-unavailable');
    await page.close();
  });

  it('shows the admin area to admins only; anyone else reading it is refused by the router', async () => {
    const page = await signedInPage(browser, portalUrl, 'ada@example.com');
    await expectAdminAreaRefused(page, portalUrl);
    await screenshot(page, 'admin-refused');
    await page.close();

    const admin = await browser.newPage();
    await admin.goto(`${portalUrl}/register`);
    await fillAndSubmit(admin, { email: 'admin@example.com', password: PASSWORD });
    await admin.waitForURL(`${portalUrl}/dashboard`);
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('cell', { name: 'ada@example.com' }).waitFor();
    expect(await admin.getByRole('cell', { name: 'grace@example.com' }).count()).toBe(1);
    await screenshot(admin, 'admin');
    await admin.close();
  });
});
