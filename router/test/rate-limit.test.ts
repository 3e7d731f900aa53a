import { randomInt } from 'node:crypto';
import { createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import type { RunningServer } from '@supergraph/server';
import { bearer, errorCodes, execute, newCallerAddress, quietLogger } from '@supergraph/testing';
import { startRouter } from '../src/app';
import { MemorySlidingWindow, RateLimiter, type SlidingWindowStore } from '../src/rate-limit';
import { startPlatform, type PlatformHarness } from './harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

describe('rate limiting shared by two routers on one Redis', () => {
  let platform: PlatformHarness;
  let second: RunningServer;
  let routers: string[];

  beforeAll(async () => {
    platform = await startPlatform({
      REDIS_URL,
      RATE_LIMIT_PER_MINUTE: '5',
      RATE_LIMIT_TIERS: 'ANONYMOUS=3',
      RATE_LIMIT_TRUST_PROXY: 'true',
    });
    second = await startRouter(platform.config, quietLogger('router-2'));
    routers = [platform.graphqlUrl, `${second.url}/graphql`];
  });
  afterAll(async () => {
    await second?.stop();
    await platform?.stop();
  });

  // The caller's address first, then the proxy's: the router counts the first.
  const address = () => `${newCallerAddress()}, 10.0.0.${randomInt(1, 255)}`;
  const post = (url: string, headers: Record<string, string>, query = '{ __typename }') =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

  it('counts an anonymous caller by address across both instances, then answers 429 with Retry-After, over SSE too', async () => {
    const from = { 'x-forwarded-for': address() };
    for (let i = 0; i < 3; i++) expect((await post(routers[i % 2]!, from)).status).toBe(200);
    for (const [url, accept] of [...routers.map((url) => [url, 'application/json']), [routers[0]!, 'text/event-stream']] as const) {
      const refused = await post(url, { ...from, accept });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter, limit: 3 });
    }
    // Another address has a window of its own.
    expect((await post(routers[0]!, { 'x-forwarded-for': address() })).status).toBe(200);
    const metrics = await (await fetch(`${platform.routerUrl}/metrics`)).text();
    expect(metrics).toMatch(/router_requests_rejected_total\{reason="rate_limited"\} [1-9]/);
  });

  it('counts a signed-in user by account, with the limit of their tier', async () => {
    const signUpFrom = { 'x-forwarded-for': address() };
    const password = 'a long enough password';
    await execute(routers[0]!, RegisterDocument, { email: `limited-${randomInt(1e9)}@example.com`, password }, signUpFrom);
    const email = `limited-${randomInt(1e9)}@example.com`;
    const registered = await execute(routers[1]!, RegisterDocument, { email, password }, { 'x-forwarded-for': address() });
    expect(registered.errors).toBeUndefined();
    const login = await execute(routers[0]!, LoginDocument, { email, password }, { 'x-forwarded-for': address() });
    expect(login.errors).toBeUndefined();
    const token = login.data!.login.token;

    // Every request comes from a new address: only the account ties them together.
    const fromNewAddress = () => ({ ...bearer(token), 'x-forwarded-for': address() });
    for (let i = 0; i < 5; i++) expect((await post(routers[i % 2]!, fromNewAddress(), '{ me { id } }')).status).toBe(200);
    const refused = await post(routers[1]!, fromNewAddress(), '{ me { id } }');
    expect(refused.status).toBe(429);
    expect(errorCodes((await refused.json()) as never)).toEqual(['RATE_LIMITED']);
  });
});

describe('queries over graphql-ws share the window', () => {
  let platform: PlatformHarness;
  beforeAll(async () => {
    platform = await startPlatform({ REDIS_URL, RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_TRUST_PROXY: 'true' });
  });
  afterAll(() => platform?.stop());

  it('counts a signed-in user over HTTP and WebSocket alike', async () => {
    const password = 'a long enough password';
    const email = `socket-${randomInt(1e9)}@example.com`;
    const from = () => ({ 'x-forwarded-for': newCallerAddress() });
    await execute(platform.graphqlUrl, RegisterDocument, { email, password }, from());
    const token = (await execute(platform.graphqlUrl, LoginDocument, { email, password }, from())).data!.login.token;
    const post = () =>
      fetch(platform.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token), ...from() },
        body: '{"query":"{ me { id } }"}',
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);

    const client = createClient({
      url: platform.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: bearer(token),
      retryAttempts: 0,
    });
    try {
      const results: ExecutionResult[] = [];
      for (let i = 0; i < 3; i++) {
        results.push(
          await new Promise<ExecutionResult>((resolve, reject) => {
            let result: ExecutionResult;
            client.subscribe(
              { query: '{ me { id } }' },
              {
                next: (value) => (result = value as ExecutionResult),
                // A refused operation is an `error` message on its id; the socket stays open.
                error: (errors) => (Array.isArray(errors) ? resolve({ errors } as ExecutionResult) : reject(errors as Error)),
                complete: () => resolve(result),
              },
            );
          }),
        );
      }
      expect(results.map((result) => result.errors?.[0]?.extensions?.code)).toEqual([undefined, undefined, 'RATE_LIMITED']);
      expect(results[2]!.errors![0]!.extensions).toMatchObject({ limit: 4, retryAfter: expect.any(Number) });
    } finally {
      await client.dispose();
    }
  });
});

describe('the sliding window', () => {
  it('admits again as old requests leave the window (in memory)', async () => {
    let now = 0;
    const window = new MemorySlidingWindow(() => now);
    for (let i = 0; i < 3; i++) {
      expect((await window.hit('k', 3, 1000)).allowed).toBe(true);
      now += 100;
    }
    const refused = await window.hit('k', 3, 1000);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 700 });
    now = 1000; // the first request (at 0) has left the window
    expect((await window.hit('k', 3, 1000)).allowed).toBe(true);
    expect((await window.hit('k', 3, 1000)).allowed).toBe(false);
  });

  it('falls back to this instance when Redis fails', async () => {
    const broken: SlidingWindowStore = { hit: () => Promise.reject(new Error('Connection is closed')) };
    const limiter = new RateLimiter({ perMinute: 2, windowMs: 60_000, tiers: {}, trustProxy: false }, broken, quietLogger('test'));
    const request = { headers: {}, socket: { remoteAddress: '198.51.100.7' } } as never;
    const anonymous = { kind: 'anonymous' } as const;
    await limiter.check(anonymous, request);
    await limiter.check(anonymous, request);
    await expect(limiter.check(anonymous, request)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
  });
});
