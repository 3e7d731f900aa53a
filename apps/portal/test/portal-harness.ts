import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
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

/**
 * An HTTP proxy in front of a subgraph that can hold its answers back: while held, what the router
 * asks that subgraph over HTTP (only the requests `which` picks by their body, when given) waits, so
 * a test sees what a page shows before that subgraph's data. A subgraph that does not answer is a 502.
 */
export async function gatedProxy(
  target: string,
): Promise<{ url: string; hold(which?: (body: string) => boolean): void; release(): void; close(): Promise<void> }> {
  let gate = Promise.resolve();
  let held: (body: string) => boolean = () => false;
  let open = () => {};
  const body = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer(async (request, response) => {
    const payload = await body(request);
    if (held(payload.toString())) await gate;
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<
      string,
      string
    >;
    try {
      const answer = await fetch(new URL(request.url ?? '/', target), {
        method: request.method,
        headers,
        body: request.method === 'GET' ? undefined : payload,
      });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      response.writeHead(502).end();
    }
  });
  // WebSockets (the router's subscriptions to the subgraph) pass straight through, never held.
  server.on('upgrade', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    const { hostname, port } = new URL(target);
    const upstream = connect(Number(port), hostname, () => {
      const headers = request.rawHeaders.map((value, index) => (index % 2 === 0 ? `${value}: ` : `${value}\r\n`)).join('');
      upstream.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers}\r\n`);
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    hold: (which = () => true) => {
      held = which;
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => {
      held = () => false;
      open();
    },
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}
