/**
 * The portal's admin area in headless Chromium against the real router, users, payments (its Stripe
 * SDK talking to the local Stripe, screening each card payment with the AI subgraph) and the Python
 * AI subgraph, whose fraud model scores every payment. Customers pay by card through the router; an
 * admin opening /admin sees each one's highest fraud score exactly as the router reports the AI
 * subgraph's scores, and each user's lead score streamed into the table after it (@defer); anyone
 * else is refused. The router reaches the AI subgraph through a proxy that can hold its lead scores
 * back, so the test sees the page before they arrive. Screenshots go to .artifacts/portal/.
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
import { buildPortal, expectAdminAreaRefused, gatedProxy, PASSWORD, screenshot, signedInPage, startBrowser, startPortal } from './portal-harness';

jest.setTimeout(180_000);

const SECRET = `portal-admin-${randomUUID()}`;
const ADMIN = 'fraud-desk@example.com';

type Scores = { user: { payments: { fraudScore: { score: number; isAnomaly: boolean } | null }[] } | null };
const SCORES = 'query ($id: ID!) { user(id: $id) { payments { fraudScore { score isAnomaly } } } }';
type LeadScore = { score: number; band: string };
const LEAD_SCORE = 'query ($id: ID!) { user(id: $id) { leadScore { score band } } }';
/** What the AI subgraph's lead-score model is asked; only these are held back. */
const asksForLeadScores = (body: string) => body.includes('leadScore');
const PLACEHOLDER = '>Scoring…<';
const UNAVAILABLE = 'The lead score could not be loaded. Part of the platform is unavailable right now. Please try again shortly.';

/** A response's text as it streams in: `until` reads on until what arrived satisfies `enough`, `rest` to its end. */
function streamedText(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const more = async () => {
    const { done, value } = await reader.read();
    if (!done) text += decoder.decode(value, { stream: true });
    return !done;
  };
  return {
    async until(enough: (text: string) => boolean): Promise<string> {
      while (!enough(text)) if (!(await more())) throw new Error(`The response ended first: ${text.slice(-500)}`);
      return text;
    },
    async rest(): Promise<string> {
      while (await more());
      return text;
    },
  };
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

(chromiumAvailable ? describe : describe.skip)('the portal’s admin area with real fraud scores, in headless Chromium', () => {
  const stack = new TestStack();
  let payments: PaymentsHarness;
  let routerGraphqlUrl: string;
  let portalUrl: string;
  let browser: Browser;
  let ai: Awaited<ReturnType<typeof startAiSubgraph>>;
  let aiGate: Awaited<ReturnType<typeof gatedProxy>>;
  let admin: Account;
  const regularEmail = `regular-${randomUUID()}@example.com`;
  const newcomerEmail = `newcomer-${randomUUID()}@example.com`;
  let regular: Account;
  let newcomer: Account;

  beforeAll(async () => {
    await buildPortal();
    ai = await stack.add(startAiSubgraph(SECRET));
    aiGate = await gatedProxy(ai.url);
    stack.defer(() => aiGate.close());
    payments = await stack.add(startPaymentsHarness({ env: { ROUTER_SIGNING_SECRET: SECRET, ADMIN_EMAILS: ADMIN, AI_URL: ai.url } }));
    ({ url: routerGraphqlUrl } = await stack.router(
      { users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, ai: aiGate.url },
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

  /** The lead score the router reports for `userId`, read as the admin. */
  async function leadScoreOf(userId: string): Promise<LeadScore> {
    const response = await graphql<{ user: { leadScore: LeadScore | null } | null }>(routerGraphqlUrl, LEAD_SCORE, { id: userId }, bearer(admin.token));
    expect(response.errors).toBeUndefined();
    return response.data!.user!.leadScore!;
  }

  it('shows the users at once and streams each one’s lead score into the table as the AI subgraph scored it', async () => {
    const accounts = [admin, regular, newcomer];
    const emails = [ADMIN, regularEmail, newcomerEmail];
    const expected = await Promise.all(accounts.map((account) => leadScoreOf(account.userId)));
    for (const { score } of expected) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
    }
    const page = await signedInPage(browser, portalUrl, ADMIN);
    const session = (await page.context().cookies()).find((cookie) => cookie.name === 'portal_session')!;

    // With the lead scores held back, the page's HTML comes with the whole table, a placeholder where each score goes.
    aiGate.hold(asksForLeadScores);
    const html = streamedText(await fetch(`${portalUrl}/admin`, { headers: { cookie: `portal_session=${session.value}` } }));
    const first = await html.until((text) => text.includes('</table>'));
    for (const email of emails) expect(first).toContain(`data-user="${email}"`);
    expect(occurrences(first, PLACEHOLDER)).toBe(accounts.length);
    expect(first).not.toContain('data-testid="lead-score"');
    // Once the AI subgraph answers, the scores follow in the same response.
    aiGate.release();
    const later = (await html.rest()).slice(first.length);
    const streamed = [...later.matchAll(/data-testid="lead-score">([^<]*)</g)].map((match) => match[1]);
    expect(streamed.sort()).toEqual(expected.map(({ score }) => score.toFixed(2)).sort());

    // The browser puts each score in its user's row, with its band.
    await page.getByRole('link', { name: 'Admin' }).click();
    for (const [index, email] of emails.entries()) {
      const row = page.locator(`[data-user="${email}"]`);
      await row.getByTestId('lead-score').waitFor();
      expect(await row.getByTestId('lead-score').textContent()).toBe(expected[index]!.score.toFixed(2));
      expect(await row.getByTestId('lead-band').textContent()).toBe(expected[index]!.band);
    }
    expect(await page.getByText('Scoring…').count()).toBe(0);
    await screenshot(page, 'admin-lead-scores');
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
    const ownLeadScore = await graphql<{ me: { leadScore: LeadScore | null } }>(
      routerGraphqlUrl,
      '{ me { leadScore { score band } } }',
      {},
      bearer(newcomer.token),
    );
    expect(errorCodes(ownLeadScore)).toContain('FORBIDDEN');
    expect(ownLeadScore.data?.me.leadScore ?? null).toBeNull();
  });

  // Last: the AI subgraph does not come back.
  it('with the AI subgraph down, says so in each lead score’s place and shows the rest of the table', async () => {
    await ai.kill();
    const page = await signedInPage(browser, portalUrl, ADMIN);
    await page.getByRole('link', { name: 'Admin' }).click();
    for (const email of [ADMIN, regularEmail, newcomerEmail]) {
      const row = page.locator(`[data-user="${email}"]`);
      await row.getByRole('status').waitFor();
      expect(await row.getByRole('status').textContent()).toBe(UNAVAILABLE);
      expect(await row.getByRole('cell', { name: email, exact: true }).count()).toBe(1);
    }
    expect(await page.getByTestId('lead-score').count()).toBe(0);
    await screenshot(page, 'admin-lead-scores-unavailable');
    await page.close();
  });
});
