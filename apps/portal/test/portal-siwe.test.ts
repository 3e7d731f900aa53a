/**
 * Sign-In with Ethereum in the portal, in headless Chromium against the real router and users
 * subgraph. The page's wallet is an EIP-1193 provider injected before the page loads, as a browser
 * wallet injects one; it forwards each request to this test process, where a viem account with a
 * fresh key answers and signs. Screenshots go to .artifacts/portal/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hexToString, isHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { parseSiweMessage } from 'viem/siwe';
import { PortalViewerDocument } from '../../../clients/generated/graphql';
import { bearer, execute, freePort } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { TestStack } from '../../../e2e/test/stack';
import { chromiumAvailable } from '../../../router/test/chromium';
import { buildPortal, errorsOf, screenshot, startBrowser, startPortal } from './portal-harness';

jest.setTimeout(120_000);

/** A local chain's id (31337), as the wallet reports it. */
const CHAIN_ID = '0x7a69';

/** An EIP-1193 error as a wallet raises it: only the code is meant for programs. */
interface WalletError {
  code: number;
  message: string;
}

/** What the injected wallet was asked, and the sign-in messages it signed. */
interface WalletLog {
  methods: string[];
  signed: string[];
}

/**
 * Gives `page` a wallet like a browser extension's: `window.ethereum.request` is defined before any of
 * the page's scripts run and answered here by `account`. With `refuse`, its holder declines to sign
 * (EIP-1193 code 4001), as people do.
 */
async function injectWallet(page: Page, account: PrivateKeyAccount, { refuse = false } = {}): Promise<WalletLog> {
  const log: WalletLog = { methods: [], signed: [] };
  const answer = async (method: string, params: unknown[]): Promise<{ result: unknown } | { error: WalletError }> => {
    log.methods.push(method);
    if (method === 'eth_requestAccounts') return { result: [account.address] };
    if (method === 'eth_chainId') return { result: CHAIN_ID };
    if (method === 'personal_sign') {
      const [message, address] = params;
      if (!isHex(message) || address !== account.address) return { error: { code: -32602, message: 'Invalid params' } };
      if (refuse) return { error: { code: 4001, message: 'User rejected the request.' } };
      log.signed.push(hexToString(message));
      return { result: await account.signMessage({ message: { raw: message } }) };
    }
    return { error: { code: 4200, message: `Unsupported method ${method}` } };
  };
  await page.exposeFunction('answerAsTestWallet', (request: { method: string; params?: unknown[] }) => answer(request.method, request.params ?? []));
  // A string, not a function: it runs in the page, where only what the binding above exposes reaches this process.
  await page.addInitScript(`
    window.ethereum = {
      async request(request) {
        const answer = await window.answerAsTestWallet({ method: request.method, params: request.params });
        if ('error' in answer) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
        return answer.result;
      },
    };
  `);
  return log;
}

/** Resolves once React has hydrated the page (its keys are on the form) and rendered the frames after: whatever the browser adds to the server's HTML is there. */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction("Object.keys(document.querySelector('main form') ?? {}).some((key) => key.startsWith('__react'))");
  await page.evaluate('new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)))');
}

/** How the users subgraph names a wallet's new account: the address shortened. */
const shortAddress = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`.toLowerCase();

(chromiumAvailable ? describe : describe.skip)('Sign-In with Ethereum in the portal, in headless Chromium', () => {
  const stack = new TestStack();
  let routerGraphqlUrl: string;
  let portalUrl: string;
  let portalHost: string;
  let browser: Browser;

  beforeAll(async () => {
    await buildPortal();
    // The users subgraph accepts sign-in messages for the host the page is served from, as `npm start` sets it up.
    const port = await freePort();
    portalHost = `127.0.0.1:${port}`;
    const users = await stack.add(startUsersHarness({ SIWE_DOMAIN: portalHost }));
    ({ url: routerGraphqlUrl } = await stack.router({ users: users.url }));
    portalUrl = await startPortal(stack, routerGraphqlUrl, port);
    browser = await startBrowser(stack);
  }, 240_000);
  afterAll(() => stack.stop());

  /** The session cookie's holder, as the router knows them. */
  async function sessionUser(context: BrowserContext) {
    const session = (await context.cookies()).find((cookie) => cookie.name === 'portal_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const { data } = await execute(routerGraphqlUrl, PortalViewerDocument, {}, bearer(session!.value));
    return data!.me!;
  }

  /** Signs in on a fresh browser context with `account`'s wallet; answers the context (on the dashboard) and what the wallet was asked. */
  async function signInWithWallet(account: PrivateKeyAccount): Promise<{ context: BrowserContext; page: Page; wallet: WalletLog }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const wallet = await injectWallet(page, account);
    await page.goto(`${portalUrl}/login`);
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.waitForURL(`${portalUrl}/dashboard`);
    return { context, page, wallet };
  }

  it("signs in with the wallet's signature, lands on the dashboard as that wallet's user, and keeps the token out of reach of scripts", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const address = account.address.toLowerCase();
    const { context, page, wallet } = await signInWithWallet(account);

    expect(wallet.methods).toEqual(['eth_requestAccounts', 'eth_chainId', 'personal_sign']);
    // One EIP-4361 message, naming the portal's host and origin, the account and the wallet's chain.
    expect(wallet.signed).toHaveLength(1);
    expect(parseSiweMessage(wallet.signed[0]!)).toMatchObject({ domain: portalHost, uri: portalUrl, address: account.address, chainId: 31337, version: '1' });

    await page.getByRole('heading', { name: `Welcome, ${shortAddress(address)}` }).waitFor();
    expect(await page.textContent('[data-testid=wallet-addresses]')).toBe(address);
    expect(await page.evaluate('document.cookie')).toBe('');
    await screenshot(page, 'dashboard-signed-in-with-ethereum');
    const first = await sessionUser(context);
    expect(first).toMatchObject({ displayName: shortAddress(address), email: null });
    await context.close();

    // The same key later: the same account, not a second one.
    const again = await signInWithWallet(account);
    expect((await sessionUser(again.context)).id).toBe(first.id);
    await again.context.close();
  });

  it('says in words that the wallet declined to sign, and keeps no session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const wallet = await injectWallet(page, privateKeyToAccount(generatePrivateKey()), { refuse: true });
    await page.goto(`${portalUrl}/login`);
    await hydrated(page);
    expect(await page.getByRole('button', { name: 'Sign in with Ethereum' }).count()).toBe(1);
    await screenshot(page, 'sign-in-with-ethereum');
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();

    await errorsOf(page).waitFor();
    expect(await errorsOf(page).textContent()).toBe('You declined the request in your wallet, so you are not signed in.');
    expect(wallet.methods).toEqual(['eth_requestAccounts', 'eth_chainId', 'personal_sign']);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await context.cookies()).toEqual([]);
    await screenshot(page, 'sign-in-with-ethereum-declined');
    await context.close();
  });

  it('opened at a host other than the one sign-in messages must name, says where sign-in works and asks the wallet nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const wallet = await injectWallet(page, privateKeyToAccount(generatePrivateKey()));
    // The same portal by another name: localhost instead of 127.0.0.1.
    await page.goto(`${portalUrl.replace('127.0.0.1', 'localhost')}/login`);
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();

    await errorsOf(page).waitFor();
    expect(await errorsOf(page).textContent()).toBe(`Sign-In with Ethereum works when the portal is opened at ${portalHost}. Please open it there.`);
    expect(wallet.methods).toEqual([]);
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it('offers no Sign in with Ethereum to a browser without a wallet', async () => {
    const page = await browser.newPage();
    await page.goto(`${portalUrl}/login`);
    // The button would be there by now with a wallet (the test before saw it so).
    await hydrated(page);
    expect(await page.getByRole('button', { name: 'Sign in with Ethereum' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(1);
    await page.close();
  });
});
