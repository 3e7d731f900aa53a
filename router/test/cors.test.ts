/**
 * CORS: browser pages on the origins in CORS_ORIGINS call the router, answered and readable
 * (errors included); any other origin gets no CORS header, and its preflight never reaches GraphQL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { loadRouterConfig } from '@supergraph/config';
import { createLogger, startHttpServer, type RunningServer } from '@supergraph/server';
import { execute } from '@supergraph/testing';
import { chromiumAvailable, launchChromium } from './chromium';
import { startPlatform, type PlatformHarness } from './harness';

const PORTAL = 'http://portal.example:3000';
const STRANGER = 'https://stranger.example';
const ANONYMOUS_PER_MINUTE = 3;

/** Registers and signs in; `headers` go with both calls. */
async function signUp(graphqlUrl: string, email: string, headers: Record<string, string> = {}): Promise<{ id: string; token: string }> {
  const password = 'a long enough password';
  const registered = await execute(graphqlUrl, RegisterDocument, { email, password }, headers);
  const login = await execute(graphqlUrl, LoginDocument, { email, password }, headers);
  return { id: registered.data!.register.user.id, token: login.data!.login.token };
}

describe('CORS_ORIGINS', () => {
  const load = (env: Record<string, string>) => loadRouterConfig({ ROUTER_SIGNING_SECRET: 's', JWT_SECRET: 'j', ...env }).router.corsOrigins;

  it('allows the local portal in development and no origin in production unless set', () => {
    expect(load({})).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(load({ NODE_ENV: 'production' })).toEqual([]);
    expect(load({ NODE_ENV: 'production', CORS_ORIGINS: 'https://portal.example.com, https://admin.example.com:8443' })).toEqual([
      'https://portal.example.com',
      'https://admin.example.com:8443',
    ]);
    expect(load({ CORS_ORIGINS: '*' })).toEqual(['*']);
  });

  it.each(['https://portal.example.com/', 'https://portal.example.com/app', 'portal.example.com', 'null'])(
    'refuses "%s", which no browser sends as an origin',
    (origin) => {
      expect(() => load({ CORS_ORIGINS: origin })).toThrow(`CORS_ORIGINS entries are origins like https://portal.example.com or *, got "${origin}"`);
    },
  );
});

describe('the router with CORS_ORIGINS set', () => {
  let platform: PlatformHarness;
  let clientAddress = 0;

  beforeAll(async () => {
    platform = await startPlatform({
      CORS_ORIGINS: PORTAL,
      MAX_BODY_BYTES: '20000',
      // Anonymous callers are limited per address (taken from X-Forwarded-For); signed-in ones are not.
      RATE_LIMIT_TIERS: `ANONYMOUS=${ANONYMOUS_PER_MINUTE}`,
      RATE_LIMIT_TRUST_PROXY: 'true',
    });
  }, 60_000);
  afterAll(() => platform?.stop());

  /** One HTTP request as a browser on `origin` would send it; each from a new address unless `address` is given. */
  function send(options: { origin?: string; method?: string; path?: string; headers?: Record<string, string>; body?: string; address?: string }) {
    const headers: Record<string, string> = { 'x-forwarded-for': options.address ?? `192.0.2.${++clientAddress}`, ...options.headers };
    if (options.origin) headers.origin = options.origin;
    return fetch(`${platform.routerUrl}${options.path ?? '/graphql'}`, { method: options.method ?? 'POST', headers, body: options.body });
  }
  const postJson = (query: string, extra: Parameters<typeof send>[0] = {}) =>
    send({ ...extra, headers: { 'content-type': 'application/json', ...extra.headers }, body: JSON.stringify({ query }) });
  const preflight = (origin: string) =>
    send({ origin, method: 'OPTIONS', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
  const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

  it('answers a preflight from a listed origin itself: 204, what may be sent, for how long', async () => {
    const response = await preflight(PORTAL);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')!.split(', ')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight', 'x-request-id']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('refuses a preflight from any other origin with 403 and no CORS header, before GraphQL', async () => {
    for (const origin of [STRANGER, 'http://portal.example:3001', 'http://portal.example']) {
      const response = await preflight(origin);
      expect(response.status).toBe(403);
      expect(corsHeaders(response)).toEqual([]);
      expect(await response.json()).toEqual({ errors: [{ message: `Origin ${origin} may not call this server`, extensions: { code: 'FORBIDDEN' } }] });
    }
  });

  it('lets a listed origin read the answer to a signed-in operation, and its request id', async () => {
    const { token } = await signUp(platform.graphqlUrl, 'cors@example.com', { 'x-forwarded-for': '203.0.113.1' });
    const response = await postJson('{ me { email } }', { origin: PORTAL, headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { me: { email: 'cors@example.com' } } });
    expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id, retry-after');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('makes error responses readable too: 401, 413, 429, 400, 404', async () => {
    const unauthenticated = await postJson('{ me { email } }', { origin: PORTAL, headers: { authorization: 'Bearer not-a-token' } });
    const tooLarge = await postJson(`{ __typename ${' '.repeat(30_000)}}`, { origin: PORTAL });
    const badJson = await send({ origin: PORTAL, headers: { 'content-type': 'application/json' }, body: '{' });
    const noRoute = await send({ origin: PORTAL, method: 'GET', path: '/nowhere' });
    const address = '198.51.100.7';
    for (let i = 0; i < ANONYMOUS_PER_MINUTE; i++) expect((await postJson('{ __typename }', { origin: PORTAL, address })).status).toBe(200);
    const rateLimited = await postJson('{ __typename }', { origin: PORTAL, address });

    expect([unauthenticated, tooLarge, rateLimited, badJson, noRoute].map((response) => response.status)).toEqual([401, 413, 429, 400, 404]);
    for (const response of [unauthenticated, tooLarge, rateLimited, badJson, noRoute]) {
      expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-expose-headers')).toContain('retry-after');
    }
    expect(Number(rateLimited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('makes Server-Sent Events responses readable', async () => {
    const response = await postJson('{ __typename }', { origin: PORTAL, headers: { accept: 'text/event-stream' } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(await response.text()).toContain('"__typename":"Query"');
  });

  it('adds no CORS header for an unlisted origin or a caller that sends no origin', async () => {
    for (const response of [await postJson('{ __typename }', { origin: STRANGER }), await postJson('{ __typename }')]) {
      expect(response.status).toBe(200);
      expect(corsHeaders(response)).toEqual([]);
    }
  });

  it('still refuses, through CSRF prevention, a simple cross-site POST that a browser sends without a preflight', async () => {
    const simple = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) };
    const fromStranger = await send({ ...simple, origin: STRANGER });
    expect(fromStranger.status).toBe(400);
    expect(corsHeaders(fromStranger)).toEqual([]);
    expect(await fromStranger.text()).toContain('CSRF');
    // A listed origin gets no exemption from it: it is told why, readably.
    const fromPortal = await send({ ...simple, origin: PORTAL });
    expect(fromPortal.status).toBe(400);
    expect(fromPortal.headers.get('access-control-allow-origin')).toBe(PORTAL);
  });
});

describe('`*` among the origins', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ service: 'cors-test' }, 'error'),
      graceMs: 100,
      cors: { origins: [PORTAL, '*'] },
      routes: { '/hello': (_request, response) => void response.end('hello') },
    });
  });
  afterAll(() => server?.stop());

  it('lets any origin call without credentials, and listed ones with them', async () => {
    const stranger = await fetch(`${server.url}/hello`, { headers: { origin: STRANGER } });
    expect(stranger.headers.get('access-control-allow-origin')).toBe('*');
    expect(stranger.headers.get('access-control-allow-credentials')).toBeNull();
    const portal = await fetch(`${server.url}/hello`, { headers: { origin: PORTAL } });
    expect(portal.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(portal.headers.get('access-control-allow-credentials')).toBe('true');
    const preflight = await fetch(`${server.url}/hello`, { method: 'OPTIONS', headers: { origin: STRANGER, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });
});

/** A page that calls the router as a portal would: fetch with a bearer token, then shows what it got. */
const PORTAL_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>portal</title>
<pre id="outcome"></pre>
<script>
  const params = new URLSearchParams(location.search);
  fetch(params.get('router'), {
    method: 'POST',
    credentials: 'include',
    headers: { authorization: 'Bearer ' + params.get('token'), 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { id email } }' }),
  })
    .then(async (response) => ({ status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() }))
    .catch((error) => ({ failed: String(error) }))
    .then((outcome) => {
      const element = document.getElementById('outcome');
      element.textContent = JSON.stringify(outcome);
      element.dataset.done = 'true';
    });
</script>`;

/** A static file server on its own port: a page served here has an origin of its own. */
async function servePortalPage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(PORTAL_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

(chromiumAvailable ? describe : describe.skip)('a page on another origin in headless Chromium', () => {
  let listed: { origin: string; server: Server };
  let unlisted: { origin: string; server: Server };
  let platform: PlatformHarness;
  let browser: Browser;
  let user: { id: string; token: string };

  beforeAll(async () => {
    listed = await servePortalPage();
    unlisted = await servePortalPage();
    platform = await startPlatform({ CORS_ORIGINS: listed.origin });
    user = await signUp(platform.graphqlUrl, 'browser@example.com');
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    for (const page of [listed, unlisted]) page?.server.close();
  });

  async function openPortal(origin: string, token: string) {
    const page = await browser.newPage();
    const consoleMessages: string[] = [];
    page.on('console', (message) => consoleMessages.push(message.text()));
    await page.goto(`${origin}/?router=${encodeURIComponent(platform.graphqlUrl)}&token=${encodeURIComponent(token)}`);
    await page.waitForSelector('#outcome[data-done]', { state: 'attached' });
    const outcome = JSON.parse((await page.textContent('#outcome'))!) as Record<string, unknown>;
    await page.close();
    return { outcome, consoleMessages };
  }

  it('calls the router with a bearer token and reads the data and the request id', async () => {
    const { outcome } = await openPortal(listed.origin, user.token);
    expect(outcome).toEqual({
      status: 200,
      requestId: expect.stringMatching(/^[\w.:-]+$/),
      body: { data: { me: { id: user.id, email: 'browser@example.com' } } },
    });
  }, 30_000);

  it('is blocked by the browser when its origin is not listed', async () => {
    const { outcome, consoleMessages } = await openPortal(unlisted.origin, user.token);
    expect(outcome).toEqual({ failed: 'TypeError: Failed to fetch' });
    expect(consoleMessages.join('\n')).toContain(`from origin '${unlisted.origin}' has been blocked by CORS policy`);
  }, 30_000);
});
