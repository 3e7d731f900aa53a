/**
 * The portal's admin area in headless Chromium against the real router, users, payments (its Stripe
 * SDK talking to the local Stripe, screening each card payment with the AI subgraph) and the Python
 * AI subgraph, whose fraud model scores every payment. Customers pay by card through the router; an
 * admin opening /admin sees each one's highest fraud score exactly as the router reports the AI
 * subgraph's scores, and anyone else is refused. Screenshots go to .artifacts/portal/.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { bearer, errorCodes, freePort, graphql } from '@supergraph/testing';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { register, type Account } from '../../../e2e/test/accounts';
import { establishedCustomer, payByCard, riskyBurst } from '../../../e2e/test/card-payments';
import { startAiSubgraph } from '../../../e2e/test/python-subgraph';
import { TestStack } from '../../../e2e/test/stack';
import { chromiumAvailable } from '../../../router/test/chromium';
import { buildPortal, expectAdminAreaRefused, PASSWORD, screenshot, signedInPage, startBrowser, startPortal } from './portal-harness';

jest.setTimeout(180_000);

const SECRET = `portal-admin-${randomUUID()}`;
const ADMIN = 'fraud-desk@example.com';

type Scores = { user: { payments: { fraudScore: { score: number; isAnomaly: boolean } | null }[] } | null };
const SCORES = 'query ($id: ID!) { user(id: $id) { payments { fraudScore { score isAnomaly } } } }';

(chromiumAvailable ? describe : describe.skip)('the portal’s admin area with real fraud scores, in headless Chromium', () => {
  const stack = new TestStack();
  let payments: PaymentsHarness;
  let routerGraphqlUrl: string;
  let portalUrl: string;
  let browser: Browser;
  let admin: Account;
  const regularEmail = `regular-${randomUUID()}@example.com`;
  const newcomerEmail = `newcomer-${randomUUID()}@example.com`;
  let regular: Account;
  let newcomer: Account;

  beforeAll(async () => {
    await buildPortal();
    const ai = await stack.add(startAiSubgraph(SECRET));
    payments = await stack.add(startPaymentsHarness({ env: { ROUTER_SIGNING_SECRET: SECRET, ADMIN_EMAILS: ADMIN, AI_URL: ai.url } }));
    ({ url: routerGraphqlUrl } = await stack.router(
      { users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, ai: ai.url },
      { ROUTER_SIGNING_SECRET: SECRET, ADMIN_EMAILS: ADMIN },
    ));
    portalUrl = await startPortal(stack, routerGraphqlUrl, await freePort());
    browser = await startBrowser(stack);

    admin = await register(routerGraphqlUrl, ADMIN, PASSWORD);
    // An established customer with one ordinary payment, and a brand-new account's risky burst.
    regular = await establishedCustomer(routerGraphqlUrl, payments.users, regularEmail);
    await payByCard(routerGraphqlUrl, regular.token, '4200');
    newcomer = await register(routerGraphqlUrl, newcomerEmail, PASSWORD);
    await riskyBurst(routerGraphqlUrl, newcomer.token, 10);
  }, 240_000);
  afterAll(() => stack.stop());

  /** The fraud scores the router reports for `userId`'s payments, read as the admin. */
  async function scoresOf(userId: string): Promise<{ score: number; isAnomaly: boolean }[]> {
    const response = await graphql<Scores>(routerGraphqlUrl, SCORES, { id: userId }, bearer(admin.token));
    expect(response.errors).toBeUndefined();
    return response.data!.user!.payments.map((payment) => payment.fraudScore!);
  }

  it('shows an admin each user’s highest fraud score as the AI subgraph computed it', async () => {
    const [regularScores, newcomerScores] = [await scoresOf(regular.userId), await scoresOf(newcomer.userId)];
    expect(regularScores).toHaveLength(1);
    expect(newcomerScores).toHaveLength(11);
    const highest = (scores: { score: number }[]) => Math.max(...scores.map(({ score }) => score));
    // Real scores from the model: each a probability, and the risky burst's worst well above the ordinary payment.
    for (const { score } of [...regularScores, ...newcomerScores]) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
    }
    expect(highest(newcomerScores)).toBeGreaterThan(highest(regularScores) + 0.1);
    const anomalies = newcomerScores.filter(({ isAnomaly }) => isAnomaly).length;
    expect(anomalies).toBeGreaterThan(0);

    const page = await signedInPage(browser, portalUrl, ADMIN);
    await page.getByRole('link', { name: 'Admin' }).click();
    const row = (email: string) => page.locator(`[data-user="${email}"]`);
    await row(newcomerEmail).waitFor();
    expect(await row(regularEmail).getByTestId('highest-fraud-score').textContent()).toBe(highest(regularScores).toFixed(2));
    expect(await row(regularEmail).getByTestId('anomalies').count()).toBe(0);
    expect(await row(newcomerEmail).getByTestId('highest-fraud-score').textContent()).toBe(highest(newcomerScores).toFixed(2));
    expect(await row(newcomerEmail).getByTestId('anomalies').textContent()).toBe(` ${anomalies} anomalous`);
    expect(await row(ADMIN).getByRole('cell', { name: 'no payments' }).count()).toBe(1);
    expect(await row(newcomerEmail).getByTestId('tier').textContent()).toBe('FREE');
    await screenshot(page, 'admin-fraud-scores');
    await page.close();
  });

  it('refuses the admin area, and the scores behind it, to anyone else', async () => {
    const page = await signedInPage(browser, portalUrl, newcomerEmail);
    await expectAdminAreaRefused(page, portalUrl);
    expect(await page.getByTestId('highest-fraud-score').count()).toBe(0);
    await screenshot(page, 'admin-fraud-scores-refused');
    await page.close();

    const own = await graphql<Scores>(routerGraphqlUrl, SCORES, { id: newcomer.userId }, bearer(newcomer.token));
    expect(errorCodes(own)).toContain('FORBIDDEN');
  });
});
