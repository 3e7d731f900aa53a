import { HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { ANONYMOUS, issueAccessToken, SERVICE } from '@supergraph/identity';
import type { RunningServer } from '@supergraph/server';
import { bearer, graphql, quietLogger, testConfig, type GraphQLResponse } from '@supergraph/testing';
import { startRouter } from '../src/app';
import { operationShareKey } from '../src/operation-dedupe';
import { composeSupergraph, startFakeSubgraph, type FakeSubgraph } from './fleet';

/**
 * OPERATION_DEDUPE: identical queries of one caller that are in flight at the same moment share
 * one execution and one response; anything that could make the answers differ keeps them apart.
 */
describe('sharing identical in-flight operations', () => {
  let catalog: FakeSubgraph;
  let router: RunningServer;
  let graphqlUrl: string;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    catalog = await startFakeSubgraph(
      'catalog',
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { products(first: Int): [Product!]! whoAmI: String }
      type Mutation { addProduct(name: String!): Product! }
      type Product { name: String! }`,
      {
        Query: {
          products: (_: unknown, { first }: { first?: number }) => [{ name: 'lamp' }, { name: 'desk' }].slice(0, first ?? 2),
          whoAmI: (_: unknown, __: unknown, context: { headers: Record<string, string> }) => context.headers['x-supergraph-identity'] ?? null,
        },
        Mutation: { addProduct: (_: unknown, { name }: { name: string }) => ({ name }) },
      } as GraphQLResolverMap<unknown>,
    );
    const supergraph = composeSupergraph([catalog]);
    const { config, cleanup } = testConfig('router', {
      SUPERGRAPH_PATH: supergraph.path,
      RATE_LIMIT_PER_MINUTE: '0',
      RESPONSE_CACHE: 'false',
      SUBGRAPH_DEDUPE: 'false',
    });
    cleanups.push(supergraph.cleanup, cleanup);
    router = await startRouter(config, quietLogger('router'));
    graphqlUrl = `${router.url}/graphql`;
    const token = async (userId: string) => bearer((await issueAccessToken({ userId, roles: ['USER'], tier: 'FREE' }, config.jwt)).token);
    alice = await token('00000000-0000-4000-8000-00000000000a');
    bob = await token('00000000-0000-4000-8000-00000000000b');
  });

  afterAll(async () => {
    await router?.stop();
    await catalog?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  /** Holds the subgraph, sends the requests, waits until `sharing` of them wait on another, then lets go. */
  async function inFlightTogether(
    requests: (() => Promise<GraphQLResponse>)[],
    sharing: number,
  ): Promise<{ responses: GraphQLResponse[]; subgraphRequests: number }> {
    let release!: () => void;
    catalog.hold = new Promise((resolve) => (release = resolve));
    catalog.requests.length = 0;
    try {
      const responses = requests.map((send) => send());
      await until(async () => catalog.requests.length >= requests.length - sharing && (await metric('router_requests_waiting_on_shared')) === sharing);
      release();
      return { responses: await Promise.all(responses), subgraphRequests: catalog.requests.length };
    } finally {
      catalog.hold = undefined;
      release();
    }
  }

  it('answers identical concurrent queries of one caller from one execution, each with the full response', async () => {
    const sharedBefore = await metric('router_requests_shared_total');
    const countedBefore = await metric('router_requests_total{operation="Products",outcome="success"}');
    const query = 'query Products { products { name } }';
    const { responses, subgraphRequests } = await inFlightTogether(
      [1, 2, 3, 4, 5].map(() => () => graphql(graphqlUrl, query, {}, alice)),
      4,
    );

    expect(subgraphRequests).toBe(1);
    for (const response of responses) expect(response).toEqual({ status: 200, data: { products: [{ name: 'lamp' }, { name: 'desk' }] } });
    expect((await metric('router_requests_shared_total')) - sharedBefore).toBe(4);
    // Every request still counts as a request of its operation.
    expect((await metric('router_requests_total{operation="Products",outcome="success"}')) - countedBefore).toBe(5);
    expect(await metric('router_requests_waiting_on_shared')).toBe(0);
  });

  it('never shares between callers, between different variables, or for mutations', async () => {
    const whoAmI = '{ whoAmI }';
    const callers = await inFlightTogether(
      [() => graphql(graphqlUrl, whoAmI, {}, alice), () => graphql(graphqlUrl, whoAmI, {}, bob), () => graphql(graphqlUrl, whoAmI)],
      0,
    );
    expect(callers.subgraphRequests).toBe(3);
    const identities = callers.responses.map(
      (response) => JSON.parse(Buffer.from(String((response.data as { whoAmI: string }).whoAmI), 'base64url').toString()) as { kind: string; userId?: string },
    );
    expect(identities.map((identity) => identity.userId ?? identity.kind)).toEqual([
      '00000000-0000-4000-8000-00000000000a',
      '00000000-0000-4000-8000-00000000000b',
      'anonymous',
    ]);

    const add = 'mutation Add($name: String!) { addProduct(name: $name) { name } }';
    const mutations = await inFlightTogether(
      [1, 2, 3].map(() => () => graphql(graphqlUrl, add, { name: 'chair' }, alice)),
      0,
    );
    expect(mutations.subgraphRequests).toBe(3);

    const firstN = 'query FirstN($first: Int) { products(first: $first) { name } }';
    const byVariables = await inFlightTogether(
      [() => graphql(graphqlUrl, firstN, { first: 1 }, alice), () => graphql(graphqlUrl, firstN, { first: 2 }, alice)],
      0,
    );
    expect(byVariables.subgraphRequests).toBe(2);
    expect(byVariables.responses.map((response) => (response.data as { products: unknown[] }).products.length)).toEqual([1, 2]);
  });

  it('runs the next identical query afresh once the shared one has answered', async () => {
    catalog.requests.length = 0;
    await graphql(graphqlUrl, '{ products { name } }', {}, alice);
    await graphql(graphqlUrl, '{ products { name } }', {}, alice);
    expect(catalog.requests).toHaveLength(2);
  });

  async function metric(series: string): Promise<number> {
    const text = await (await fetch(`${router.url}/metrics`)).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('operationShareKey', () => {
  const keyOf = operationShareKey();
  // The pipeline has read the operation's type from the parsed document before the key is asked for.
  const anonymous = { identity: ANONYMOUS, requestId: 'r', operation: { operationType: 'query' } as never };
  const ofType = (operationType: string) => ({ ...anonymous, operation: { operationType } as never });
  const post = (body: unknown, headers: Record<string, string> = {}): HTTPGraphQLRequest => ({
    method: 'POST',
    search: '',
    body,
    headers: new HeaderMap(Object.entries({ 'content-type': 'application/json', ...headers })),
  });
  const query = { query: '{ products { name } }' };

  it('is the same for requests that differ only in per-request headers', () => {
    expect(keyOf(post(query, { 'x-request-id': 'a', traceparent: '00-a' }), anonymous)).toBe(keyOf(post(query, { 'x-request-id': 'b' }), anonymous));
  });

  it('differs by caller, document, variables and the headers that shape the response', () => {
    const keys = [
      keyOf(post(query), anonymous),
      keyOf(post(query), { ...anonymous, identity: SERVICE }),
      keyOf(post({ query: '{ products { name } }', variables: { a: 1 } }), anonymous),
      keyOf(post({ query: '{ products { name price } }' }), anonymous),
      keyOf(post(query, { accept: 'application/graphql-response+json' }), anonymous),
      keyOf(post(query, { 'apollo-require-preflight': 'true' }), anonymous),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps mutations, subscriptions, incremental delivery and operations the pipeline did not prepare on their own', () => {
    expect(keyOf(post({ query: 'mutation { addProduct(name: "x") { name } }' }), ofType('mutation'))).toBeUndefined();
    expect(keyOf(post({ query: 'subscription { ticks }' }), ofType('subscription'))).toBeUndefined();
    expect(keyOf(post(query, { accept: 'multipart/mixed; deferSpec=20220824, application/json' }), anonymous)).toBeUndefined();
    expect(keyOf(post(query), { identity: ANONYMOUS, requestId: 'r' })).toBeUndefined();
  });

  it('shares GET queries, keyed by their query string', () => {
    const get = (search: string): HTTPGraphQLRequest => ({ method: 'GET', search, body: undefined, headers: new HeaderMap() });
    expect(keyOf(get('?query=%7B%20a%20%7D'), anonymous)).toBeDefined();
    expect(keyOf(get('?query=%7B%20a%20%7D'), anonymous)).not.toBe(keyOf(get('?query=%7B%20b%20%7D'), anonymous));
  });
});
