import { createLogger, type RunningServer } from '@supergraph/server';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { bearer, createTestDatabase, errorCodes, execute, graphql, testConfig, type TestDatabase } from '@supergraph/testing';
import { startRouter } from '../src/app';
import { CircuitBreaker, backoffMs, isMutation } from '../src/resilience';
import { catalog, composeSupergraph, reviews, startUsersProcess, usersSdl, type FakeSubgraph, type SubgraphProcess } from './fleet';

const SECRET = 'test-router-signing-secret';
const JWT = 'test-jwt-secret-that-is-long-enough';

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, half-opens after the reset time, closes on a good trial', () => {
    let now = 0;
    const states: string[] = [];
    const breaker = new CircuitBreaker(
      5,
      30_000,
      (state) => states.push(state),
      () => now,
    );
    for (let i = 0; i < 4; i++) breaker.failure();
    breaker.success();
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    now = 29_999;
    expect(breaker.allow()).toBe(false);
    now = 30_000;
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(false); // one trial at a time
    breaker.failure();
    expect(breaker.state).toBe('open');
    now = 60_000;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { retryBaseMs: 100, retryMaxMs: 1000 };
    expect(backoffMs(0, policy, () => 0.999)).toBe(99);
    expect(backoffMs(3, policy, () => 0.999)).toBe(799);
    expect(backoffMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
  });

  it('tells mutations from queries by the operation the gateway prints', () => {
    expect(isMutation('mutation Foo__catalog__0 { addProduct(name: "x") { name } }')).toBe(true);
    expect(isMutation('{ products { name } }')).toBe(false);
    expect(isMutation('query Q__users__0 { me { id } }')).toBe(false);
  });
});

describe('a router in front of a real users process and two more subgraphs', () => {
  let database: TestDatabase;
  let users: SubgraphProcess;
  let catalogSubgraph: FakeSubgraph;
  let reviewsSubgraph: FakeSubgraph;
  let router: RunningServer;
  let graphqlUrl: string;
  let token: string;
  const cleanups: (() => unknown)[] = [];
  const routerLog: Record<string, unknown>[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('resilience');
    [users, catalogSubgraph, reviewsSubgraph] = await Promise.all([
      startUsersProcess({ USERS_DATABASE_URL: database.url, ROUTER_SIGNING_SECRET: SECRET, JWT_SECRET: JWT }),
      catalog(),
      reviews(),
    ]);
    const supergraph = composeSupergraph([{ name: 'users', url: users.url, sdl: usersSdl() }, catalogSubgraph, reviewsSubgraph]);
    const { config, cleanup } = testConfig('router', {
      SUPERGRAPH_PATH: supergraph.path,
      RATE_LIMIT_PER_MINUTE: '0',
      SUBGRAPH_TIMEOUT_MS: '3000',
      SUBGRAPH_CATALOG_TIMEOUT_MS: '400',
      SUBGRAPH_RETRY_BASE_MS: '10',
      SUBGRAPH_RETRY_MAX_MS: '50',
      BREAKER_RESET_MS: '1500',
      API_KEY_CACHE_MS: '0',
    });
    cleanups.push(supergraph.cleanup, cleanup);
    router = await startRouter(config, createLogger({ service: 'router' }, 'warn', { write: (line: string) => void routerLog.push(JSON.parse(line)) }));
    graphqlUrl = `${router.url}/graphql`;
    const password = 'a long enough password';
    await execute(graphqlUrl, RegisterDocument, { email: 'resilient@example.com', password });
    token = (await execute(graphqlUrl, LoginDocument, { email: 'resilient@example.com', password })).data!.login.token;
  }, 120_000);

  afterAll(async () => {
    await router?.stop();
    await users?.kill();
    await catalogSubgraph?.stop();
    await reviewsSubgraph?.stop();
    await database?.drop();
    for (const cleanup of cleanups) cleanup();
  });

  const threeSubgraphs = '{ products { name } me { email reviewCount } }';

  it('answers a query spanning three subgraphs, passes the request id to each, and reports each fetch in /metrics', async () => {
    const response = await graphql(graphqlUrl, threeSubgraphs, {}, { ...bearer(token), 'x-request-id': 'trace-me-123' });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }], me: { email: 'resilient@example.com', reviewCount: 3 } });
    expect(catalogSubgraph.requests.at(-1)!.headers['x-request-id']).toBe('trace-me-123');
    expect(reviewsSubgraph.requests.at(-1)!.headers['x-request-id']).toBe('trace-me-123');

    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    for (const subgraph of ['users', 'catalog', 'reviews']) {
      expect(metrics).toMatch(new RegExp(`router_subgraph_fetch_duration_seconds_count\\{subgraph="${subgraph}",outcome="ok"\\} [1-9]`));
    }
    expect(metrics).toMatch(/router_request_duration_seconds_bucket\{le="[\d.]+",operation="anonymous",outcome="success"\}/);
    expect(metrics).toMatch(/router_requests_total\{operation="anonymous",outcome="success"\} [1-9]/);
    expect(metrics).toMatch(/router_circuit_breaker_state/);
    expect(metrics).toMatch(/router_active_subscriptions 0/);
  });

  it('retries a failing query fetch with backoff, but never a mutation', async () => {
    catalogSubgraph.failWith = 503;
    catalogSubgraph.requests.length = 0;
    try {
      const query = await graphql(graphqlUrl, '{ products { name } }');
      expect(errorCodes(query)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(catalogSubgraph.requests).toHaveLength(3); // one attempt + SUBGRAPH_RETRIES (2)

      catalogSubgraph.requests.length = 0;
      const mutation = await graphql(graphqlUrl, 'mutation { addProduct(name: "chair") { name } }');
      expect(errorCodes(mutation)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(catalogSubgraph.requests).toHaveLength(1);
    } finally {
      catalogSubgraph.failWith = 0;
    }
    // A success closes the count of consecutive failures again.
    expect((await graphql(graphqlUrl, '{ products { name } }')).data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }] });
  });

  it.each([
    [
      'its own code and message, from a GraphQL body (as Apollo Server refuses a variable its scalar rejects)',
      400,
      { errors: [{ message: 'Variable "$name" got invalid value', extensions: { code: 'BAD_USER_INPUT', stacktrace: ['at /srv/app.js'] } }] },
      { message: 'Variable "$name" got invalid value', extensions: { code: 'BAD_USER_INPUT' } },
    ],
    ['BAD_REQUEST for a 400 without a code', 400, { errors: [{ message: 'bad request' }] }, { message: 'bad request', extensions: { code: 'BAD_REQUEST' } }],
    [
      'the code the table gives its status for a body that is no GraphQL response',
      413,
      'too large',
      { message: '413: Payload Too Large', extensions: { code: 'REQUEST_TOO_LARGE' } },
    ],
  ])("passes on a subgraph's 4xx as a client error, never INTERNAL_SERVER_ERROR: %s", async (_case, status, body, expected) => {
    catalogSubgraph.failWith = status;
    catalogSubgraph.failBody = body;
    try {
      const response = await graphql(graphqlUrl, '{ products { name } }');
      expect(response.status).toBeLessThan(500);
      expect(response.errors).toEqual([{ ...expected, path: ['products'] }]);
    } finally {
      catalogSubgraph.failWith = 0;
      catalogSubgraph.failBody = undefined;
    }
    // The subgraph answered: its breaker counts no failure.
    expect((await graphql(graphqlUrl, '{ products { name } }')).data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }] });
  });

  it('times out a slow subgraph per attempt, with its own timeout (SUBGRAPH_CATALOG_TIMEOUT_MS)', async () => {
    catalogSubgraph.delayMs = 1_000;
    try {
      const started = Date.now();
      const response = await graphql(graphqlUrl, 'mutation { addProduct(name: "slow") { name } }');
      expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(response.errors![0]!.extensions).toMatchObject({ serviceName: 'catalog', reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      catalogSubgraph.delayMs = 0;
    }
  });

  it('keeps serving the other subgraphs when one is killed; the breaker opens, then closes once it is back', async () => {
    await users.kill();

    const partial = await graphql(graphqlUrl, threeSubgraphs, {}, { ...bearer(token), 'x-request-id': 'killed-users-1' });
    expect(partial.status).toBe(200);
    expect(partial.data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }], me: null });
    expect(errorCodes(partial)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(partial.errors![0]!.extensions).toMatchObject({ serviceName: 'users', reason: 'unreachable' });
    // The router's JSON log line carries the caller's request id.
    expect(routerLog).toContainEqual(
      expect.objectContaining({ level: 'warn', service: 'router', requestId: 'killed-users-1', msg: 'subgraph unavailable', subgraph: 'users' }),
    );

    // Three failed attempts per query: the second query reaches the threshold of five.
    await graphql(graphqlUrl, threeSubgraphs, {}, bearer(token));
    const ready = await fetch(`${router.url}/ready`);
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { subgraphs: Record<string, { ok: boolean; breaker: string }> };
    expect(readiness.subgraphs.users).toMatchObject({ ok: false, breaker: 'open' });
    expect(readiness.subgraphs.catalog).toMatchObject({ ok: true, breaker: 'closed' });

    const shortCircuited = await graphql(graphqlUrl, threeSubgraphs, {}, bearer(token));
    expect(shortCircuited.data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }], me: null });
    expect(shortCircuited.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'circuit open' });
    expect((await fetch(`${router.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${router.url}/metrics`)).text()).toMatch(/router_circuit_breaker_state\{subgraph="users"\} 2/);

    await users.restart();
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // BREAKER_RESET_MS
    // With no query in between, readiness's own probe is the breaker's trial: ready means answers are whole again.
    const readyAgain = await fetch(`${router.url}/ready`);
    expect(readyAgain.status).toBe(200);
    expect(((await readyAgain.json()) as { subgraphs: Record<string, { breaker: string }> }).subgraphs.users!.breaker).toBe('closed');
    const recovered = await graphql(graphqlUrl, threeSubgraphs, {}, bearer(token));
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }], me: { email: 'resilient@example.com', reviewCount: 3 } });
  }, 90_000);
});
