import { getIntrospectionQuery, parse } from 'graphql';
import { errorCodes, graphql, type GraphQLResponse } from '@supergraph/testing';
import { AuthorizationPolicy } from '../src/authorization';
import { analyseOperation } from '../src/pipeline/operation-analysis';
import { SubscriptionPlanner } from '../src/subscriptions/planner';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '@supergraph/config';
import { startPlatform, type PlatformHarness } from './harness';

let platform: PlatformHarness;
beforeAll(async () => {
  platform = await startPlatform({
    RATE_LIMIT_PER_MINUTE: '0',
    LIMIT_MAX_DEPTH: '3',
    LIMIT_MAX_ALIASES: '3',
    LIMIT_MAX_ROOT_FIELDS: '3',
    LIMIT_MAX_TOKENS: '200',
    LIMIT_MAX_COST: '500',
  });
});
afterAll(() => platform?.stop());

function expectLimit(response: GraphQLResponse<unknown>, limit: string, max: number) {
  expect(response.status).toBe(400);
  expect(errorCodes(response)).toEqual(['OPERATION_LIMIT_EXCEEDED']);
  expect(response.errors![0]!.extensions).toMatchObject({ limit, max });
  expect(response.errors![0]!.message).toContain(`"${limit}"`);
  expect(response.data).toBeUndefined();
}

describe('operation limits, checked before planning', () => {
  it('depth', async () => {
    expectLimit(await graphql(platform.graphqlUrl, '{ users(first: 1) { edges { node { id } } } }'), 'depth', 3);
    const deep = await graphql(platform.graphqlUrl, '{ users(first: 1) { edges { node { ...F } } } } fragment F on User { roles }');
    expectLimit(deep, 'depth', 3);
    expect(deep.errors![0]!.extensions!.actual).toBe(4);
  });

  it('aliases', async () => {
    expectLimit(await graphql(platform.graphqlUrl, '{ a: __typename b: __typename c: __typename d: __typename }'), 'aliases', 3);
  });

  it('root fields, counted through fragments', async () => {
    expectLimit(await graphql(platform.graphqlUrl, '{ __typename ...R } fragment R on Query { __typename __typename __typename }'), 'rootFields', 3);
  });

  it('tokens, enforced while parsing', async () => {
    const response = await graphql(platform.graphqlUrl, `{ ${'__typename '.repeat(300)}}`);
    expectLimit(response, 'tokens', 200);
  });

  it('cost, with list sizes from first/limit arguments and variables', async () => {
    const query = 'query ($n: Int!) { users(first: $n) { pageInfo { hasNextPage } } }';
    expectLimit(await graphql(platform.graphqlUrl, query, { n: 1000 }), 'cost', 500);
    // Under the limit the operation reaches the subgraph (which wants a signed-in admin).
    expect(errorCodes(await graphql(platform.graphqlUrl, query, { n: 10 }))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets ordinary operations through', async () => {
    expect((await graphql(platform.graphqlUrl, '{ a: __typename }')).data).toEqual({ a: 'Query' });
  });
});

describe('analyseOperation (the one walk limits, cost and authorization share)', () => {
  const sdl = new AuthorizationPolicy(readFileSync(`${REPO_ROOT}/supergraph.graphql`, 'utf8')).gatewaySdl;
  const schema = new SubscriptionPlanner(sdl).apiGraphQLSchema;
  const measure = (query: string, variables = {}) => {
    const document = parse(query);
    const { depth, aliases, rootFields, cost } = analyseOperation(schema, undefined, document, document.definitions[0] as never, variables);
    return { depth, aliases, rootFields, cost };
  };

  it('multiplies subtrees by list sizes', () => {
    // users (1) + 20 × (edges 1 + node 1 + id 1 + email 1)
    expect(measure('{ users(first: 20) { edges { node { id email } } } }')).toEqual({ depth: 4, aliases: 0, rootFields: 1, cost: 81 });
    expect(measure('query ($n: Int) { users(first: $n) { edges { cursor } } }', { n: 5 }).cost).toBe(11);
  });

  it('counts introspection as one field, so tools that introspect deeply are not refused', () => {
    expect(measure(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }))).toEqual({ depth: 1, aliases: 0, rootFields: 1, cost: 1 });
  });
});
