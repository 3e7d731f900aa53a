/**
 * The portal's payments page in headless Chromium against the real router, users, payments and
 * blockchain subgraphs on a local EVM, with payments' Stripe SDK talking to the local Stripe
 * (Stripe.js cannot load offline).
 * A 3-D Secure card sends the browser to the issuer's authentication page (the local Stripe's, as
 * Stripe's `redirect_to_url` would) and back to the portal's return route; the payment's outcome is
 * what Stripe's signed webhook made it, read through the router. Screenshots go to .artifacts/portal/.
 */
import type { Browser, Page } from 'playwright-core';
import { PortalPaymentsDocument, RegisterDocument } from '../../../clients/generated/graphql';
import { bearer, execute, freePort, graphql } from '@supergraph/testing';
import { eventually } from '@supergraph/blockchain/test/chain';
import { REDIS_URL, startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { startChainStack, type ChainStack } from '../../../e2e/test/chain-stack';
import { fundWallet, linkFreshWallet, transferForge } from '../../../e2e/test/forge-wallets';
import { TestStack } from '../../../e2e/test/stack';
import { chromiumAvailable } from '../../../router/test/chromium';
import { buildPortal, errorsOf, PASSWORD, screenshot, signedInPage, startBrowser, startPortal } from './portal-harness';

jest.setTimeout(120_000);

(chromiumAvailable ? describe : describe.skip)('the portal’s payments page, in headless Chromium', () => {
  const stack = new TestStack();
  let chain: ChainStack;
  let payments: PaymentsHarness;
  let routerGraphqlUrl: string;
  let portalUrl: string;
  let browser: Browser;
  let token: string;
  const email = 'payer@example.com';

  beforeAll(async () => {
    await buildPortal();
    chain = await stack.add(startChainStack('portal_payments_blockchain', { REDIS_URL }));
    const blockchain = `${chain.blockchain.url}/graphql`;
    payments = await stack.add(startPaymentsHarness({ env: { ...chain.chain.env, BLOCKCHAIN_URL: blockchain } }));
    // The router admits socket tickets (the history's live view) only from the portal's origin: it must know the port first.
    const port = await freePort();
    ({ url: routerGraphqlUrl } = await stack.router(
      { users: `${payments.users.url}/graphql`, payments: payments.url, blockchain },
      { CORS_ORIGINS: `http://127.0.0.1:${port}` },
    ));
    portalUrl = await startPortal(stack, routerGraphqlUrl, port);
    browser = await startBrowser(stack);
    const registered = await execute(routerGraphqlUrl, RegisterDocument, { email, password: PASSWORD });
    token = registered.data!.register.token;
  }, 240_000);
  afterAll(() => stack.stop());

  /** The payments the router reports for the payer, newest first. */
  const paymentsOfPayer = async () => {
    const result = await execute(routerGraphqlUrl, PortalPaymentsDocument, {}, bearer(token));
    return result.data!.me!.payments!;
  };

  /** Fills the card form on the payments page and submits it. */
  async function payByCard(page: Page, amount: string, currency: string, card: string): Promise<void> {
    await page.goto(`${portalUrl}/payments`);
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Pay', exact: true }) });
    await form.locator('[name=amount]').fill(amount);
    await form.locator('[name=currency]').selectOption(currency);
    await form.locator('[name=card]').selectOption(card);
    await form.getByRole('button', { name: 'Pay', exact: true }).click();
  }

  const onStripePage = (url: URL) => url.port === String(payments.stripe.port) && url.pathname.startsWith('/redirect/authenticate/');
  const onHistory = (url: URL) => url.origin === portalUrl && url.pathname === '/payments' && url.searchParams.has('payment');

  it('pays by card through a 3-D Secure challenge and shows the payment SUCCEEDED in the history', async () => {
    const page = await signedInPage(browser, portalUrl, email);
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.getByText('No payments yet.').waitFor();

    await payByCard(page, '12.50', 'EUR', 'pm_card_threeDSecure2Required');
    // The card's issuer asks the holder to authenticate on its own page, outside the portal.
    await page.waitForURL(onStripePage);
    expect(await page.textContent('strong')).toBe('12.50 EUR');
    const [intentId] = [...payments.stripe.intents.keys()];
    expect(payments.stripe.intents.get(intentId!)!.status).toBe('requires_action');
    await screenshot(page, 'payments-3ds-challenge');
    await page.getByRole('button', { name: 'Complete authentication' }).click();

    await page.waitForURL(onHistory);
    expect(await page.getByTestId('payment-outcome').textContent()).toBe('Your payment succeeded.');
    const [payment] = await paymentsOfPayer();
    expect(payment).toMatchObject({ amount: '1250', currency: 'EUR', method: 'FIAT', status: 'SUCCEEDED', providerReference: intentId });
    const row = page.locator(`[data-payment="${payment!.id}"]`);
    expect(await row.getByTestId('payment-status').textContent()).toBe('SUCCEEDED');
    expect(await row.getByTestId('payment-amount').textContent()).toBe('12.50 EUR');
    // Settled by Stripe's signed webhook, once.
    expect(payments.stripe.events.filter((event) => event.type === 'payment_intent.succeeded').map((event) => event.data.object.id)).toEqual([intentId]);
    await screenshot(page, 'payments-history');
    await page.close();
  });

  it('shows a failed 3-D Secure check and a declined card as FAILED, and a plain card as SUCCEEDED', async () => {
    const page = await signedInPage(browser, portalUrl, email);
    await payByCard(page, '30', 'USD', 'pm_card_threeDSecure2Required');
    await page.waitForURL(onStripePage);
    // The holder leaves the challenge; the history keeps the way back to it.
    await page.goto(`${portalUrl}/payments`);
    const waiting = page.locator('tr', { has: page.getByTestId('payment-status').getByText('PENDING', { exact: true }) });
    expect(await waiting.getByTestId('payment-amount').textContent()).toBe('30.00 USD');
    await waiting.getByRole('link', { name: 'Authenticate' }).click();
    await page.waitForURL(onStripePage);
    await page.getByRole('button', { name: 'Fail authentication' }).click();
    await page.waitForURL(onHistory);
    expect(await page.getByTestId('payment-outcome').textContent()).toBe(
      'Your payment failed; nothing was charged. The card holder did not complete the 3-D Secure check.',
    );

    await payByCard(page, '5', 'GBP', 'pm_card_chargeDeclined');
    await page.waitForURL(onHistory);
    expect(await page.getByTestId('payment-outcome').textContent()).toBe('Your payment failed; nothing was charged. The card was declined.');

    await payByCard(page, '1500', 'JPY', 'pm_card_visa');
    await page.waitForURL(onHistory);
    expect(await page.getByTestId('payment-outcome').textContent()).toBe('Your payment succeeded.');

    const statuses = (await paymentsOfPayer()).map((payment) => [payment.amount, payment.currency, payment.status]);
    expect(statuses).toEqual([
      ['1500', 'JPY', 'SUCCEEDED'],
      ['500', 'GBP', 'FAILED'],
      ['3000', 'USD', 'FAILED'],
      ['1250', 'EUR', 'SUCCEEDED'],
    ]);
    expect(await page.getByTestId('payment-status').allTextContents()).toEqual(['SUCCEEDED', 'FAILED', 'FAILED', 'SUCCEEDED']);
    expect(await page.getByTestId('payment-amount').allTextContents()).toEqual(['1,500 JPY', '5.00 GBP', '30.00 USD', '12.50 EUR']);
    await page.close();
  });

  it('says in words what the payments subgraph refused, and keeps a token payment PENDING while the chain shows no such transfer', async () => {
    const page = await signedInPage(browser, portalUrl, email);
    await page.goto(`${portalUrl}/payments`);
    const unstake = page.locator('form', { has: page.getByRole('button', { name: 'Unstake' }) });
    await unstake.locator('[name=amount]').fill('10');
    await unstake.getByRole('button', { name: 'Unstake' }).click();
    await errorsOf(page).waitFor();
    expect(await errorsOf(page).textContent()).toBe('You cannot unstake more than you have staked.');

    const token = page.locator('form', { has: page.getByRole('button', { name: 'Pay with $FORGE' }) });
    await token.locator('[name=amount]').fill('2.5');
    await token.locator('[name=txHash]').fill(`0x${'ab'.repeat(32)}`);
    await token.getByRole('button', { name: 'Pay with $FORGE' }).click();
    await page.waitForURL(onHistory);
    // No such transaction on chain (yet): nothing confirms the payment, and nothing fails it either.
    expect(await page.getByTestId('payment-outcome').textContent()).toBe('Your payment is waiting to be confirmed; its status below changes when it is.');
    const [payment] = await paymentsOfPayer();
    expect(payment).toMatchObject({ amount: '2500000000000000000', currency: 'FORGE', method: 'TOKEN', status: 'PENDING' });
    expect(await page.locator(`[data-payment="${payment!.id}"] [data-testid=payment-amount]`).textContent()).toBe('2.5 FORGE');
    await screenshot(page, 'payments-token-pending');
    await page.close();
  });

  /** Mines a block at a time until `probe` finds what it waits for (confirmations come with blocks). */
  const mineUntil = <T>(probe: () => Promise<T | undefined>, what: string) =>
    eventually(
      async () => {
        await chain.chain.mine(1);
        return probe();
      },
      60_000,
      what,
    );

  it('pays with $FORGE, stakes and unstakes on the chain, each payment seen settling live in the history once confirmed', async () => {
    const wallet = await linkFreshWallet((query, variables) => graphql(routerGraphqlUrl, query, variables, bearer(token)));
    await fundWallet(chain, wallet.address, 50n * 10n ** 18n);
    const page = await signedInPage(browser, portalUrl, email);
    await page.goto(`${portalUrl}/payments`);
    expect((await page.getByTestId('treasury').textContent())?.toLowerCase()).toBe(chain.chain.deployment.treasury.toLowerCase());

    /** Sends `forge` $FORGE to the treasury, names the transfer in the form with button `button`, and waits until the history shows it confirmed, without a reload. */
    async function payFromWallet(button: string, forge: string): Promise<string> {
      const txHash = await transferForge(chain.chain, wallet, BigInt(forge) * 10n ** 18n);
      // From a page without ?payment=, so that the redirect waited for below is this form's.
      await page.goto(`${portalUrl}/payments`);
      const form = page.locator('form', { has: page.getByRole('button', { name: button, exact: true }) });
      await form.locator('[name=amount]').fill(forge);
      await form.locator('[name=txHash]').fill(txHash);
      await form.getByRole('button', { name: button, exact: true }).click();
      await page.waitForURL(onHistory);
      const id = new URL(page.url()).searchParams.get('payment')!;
      await page.locator('[data-live=live]').waitFor();
      await page.evaluate('window.__notReloaded = true');
      const status = page.locator(`[data-payment="${id}"] [data-testid=payment-status]`);
      // One confirmation of the two required: the page was rendered with it PENDING.
      expect(await status.textContent()).toBe('PENDING');
      await mineUntil(async () => ((await status.textContent()) === 'SUCCEEDED' ? true : undefined), button);
      expect(await page.evaluate('window.__notReloaded === true')).toBe(true);
      expect((await paymentsOfPayer()).find((payment) => payment.id === id)?.status).toBe('SUCCEEDED');
      await page.reload();
      return id;
    }

    const paid = await payFromWallet('Pay with $FORGE', '10');
    expect(await page.locator(`[data-payment="${paid}"] [data-testid=payment-amount]`).textContent()).toBe('10 FORGE');

    const staked = await payFromWallet('Stake', '30');
    expect(await page.locator(`[data-payment="${staked}"] [data-testid=payment-status]`).textContent()).toBe('SUCCEEDED');
    expect(await page.getByTestId('staked').textContent()).toBe('30 FORGE');

    const unstake = page.locator('form', { has: page.getByRole('button', { name: 'Unstake' }) });
    await unstake.locator('[name=amount]').fill('12');
    await unstake.getByRole('button', { name: 'Unstake' }).click();
    await page.getByTestId('payout-status').getByText('PENDING_PAYOUT').or(page.getByTestId('payout-status').getByText('PAID')).first().waitFor();
    expect(await page.getByTestId('staked').textContent()).toBe('18 FORGE');
    await mineUntil(async () => {
      const history = await graphql<{ stakingHistory: { payoutStatus: string | null }[] }>(
        routerGraphqlUrl,
        'query { stakingHistory(first: 1) { payoutStatus } }',
        {},
        bearer(token),
      );
      return history.data!.stakingHistory[0]?.payoutStatus === 'PAID' ? true : undefined;
    }, 'the unstake to be paid');
    await page.reload();
    expect(await page.getByTestId('entry-amount').allTextContents()).toEqual(['−12 FORGE', '30 FORGE']);
    expect(await page.getByTestId('payout-status').first().textContent()).toBe('PAID');
    await screenshot(page, 'payments-staking');
    await page.close();
  });
});
