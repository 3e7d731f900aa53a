import { readFileSync } from 'node:fs';
import type { RunningServer } from '@supergraph/server';
import { CreateApiKeyDocument, LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { bearer, createTestDatabase, errorCodes, execute, graphql, quietLogger, testConfig, type TestDatabase } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startRouter } from '../src/app';
import { AuthorizationPolicy } from '../src/authorization';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { catalog, composeSupergraph, startFakeSubgraph, usersSdl, type FakeSubgraph } from './fleet';

let database: TestDatabase;
let users: UsersSubgraph;
let catalogSubgraph: FakeSubgraph;
let vault: FakeSubgraph;
let router: RunningServer;
let graphqlUrl: string;
const cleanups: (() => unknown)[] = [];
const password = 'a long enough password';

async function signUp(email: string): Promise<string> {
  await execute(graphqlUrl, RegisterDocument, { email, password });
  return (await execute(graphqlUrl, LoginDocument, { email, password })).data!.login.token;
}

/** How many fetches the router has sent to the users subgraph so far. */
async function usersFetches(): Promise<number> {
  const metrics = await (await fetch(`${router.url}/metrics`)).text();
  return [...metrics.matchAll(/router_subgraph_fetch_duration_seconds_count\{subgraph="users",outcome="\w+"\} (\d+)/g)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

beforeAll(async () => {
  database = await createTestDatabase('authorization');
  const base = testConfig('users', { USERS_DATABASE_URL: database.url, ADMIN_EMAILS: 'boss@example.com' });
  cleanups.push(base.cleanup);
  [users, catalogSubgraph, vault] = await Promise.all([startUsersSubgraph(base.config, quietLogger('users')), catalog(), startVault()]);
  const supergraph = composeSupergraph([{ name: 'users', url: `${users.url}/graphql`, sdl: usersSdl() }, catalogSubgraph, vault]);
  const { config, cleanup } = testConfig('router', { SUPERGRAPH_PATH: supergraph.path, RATE_LIMIT_PER_MINUTE: '0', API_KEY_CACHE_MS: '0' });
  cleanups.push(supergraph.cleanup, cleanup);
  router = await startRouter(config, quietLogger('router'));
  graphqlUrl = `${router.url}/graphql`;
});

afterAll(async () => {
  await router?.stop();
  await users?.stop();
  await catalogSubgraph?.stop();
  await vault?.stop();
  await database?.drop();
  for (const cleanup of cleanups) cleanup();
});

/** Protected fields that cannot be null: refusing one nulls its nearest nullable parent, as a failing non-null field would. */
const startVault = () =>
  startFakeSubgraph(
    'vault',
    `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@authenticated"])
    type Query { shelf: Shelf! code: String! @authenticated }
    type Shelf { label: String! items: [Item!] }
    type Item { name: String! price: Float! @authenticated }`,
    {
      Query: { shelf: () => ({ label: 'A', items: [{ name: 'lamp', price: 12 }] }), code: () => 'secret' },
    } as GraphQLResolverMap<unknown>,
  );

describe('@authenticated and @requiresScopes, enforced by the router', () => {
  it('are declared in the users subgraph and read from the supergraph', () => {
    const composed = composeSupergraph([{ name: 'users', url: 'http://users', sdl: usersSdl() }]);
    const policy = new AuthorizationPolicy(readFileSync(composed.path, 'utf8'));
    composed.cleanup();
    expect(policy.requirements('Query', 'me')).toEqual([{ authenticated: true }]);
    expect(policy.requirements('Query', 'users')).toEqual([{ authenticated: true, scopes: [['admin']] }]);
    expect(policy.requirements('User', 'displayName')).toBeUndefined();
    expect(policy.gatewaySdl).not.toMatch(/(authenticated|requiresScopes)\/v0\.1", for: SECURITY/);
    expect(policy.gatewaySdl).toMatch(/requiresScopes\/v0\.1"\)/);
  });

  it('answers an unauthorized field with null and an error, keeps the rest, and never asks the subgraph', async () => {
    // Signed in first, so the plan with `me` is cached: the anonymous call must not reuse it.
    const token = await signUp('reader@example.com');
    const query = '{ products { name } me { email } }';
    const signedIn = await graphql(graphqlUrl, query, {}, bearer(token));
    expect(signedIn.data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }], me: { email: 'reader@example.com' } });

    const before = await usersFetches();
    const anonymous = await graphql(graphqlUrl, query);
    expect(anonymous.status).toBe(200);
    expect(anonymous.data).toEqual({ products: [{ name: 'lamp' }, { name: 'desk' }], me: null });
    expect(anonymous.errors).toEqual([expect.objectContaining({ path: ['me'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    expect(await usersFetches()).toBe(before);
  });

  it('nulls the nearest nullable parent of a refused non-null field, as GraphQL does for a failing one, and asks the subgraph only for the rest', async () => {
    const token = await signUp('shelf-reader@example.com');
    const query = '{ shelf { label items { name price } } }';
    expect((await graphql(graphqlUrl, query, {}, bearer(token))).data).toEqual({ shelf: { label: 'A', items: [{ name: 'lamp', price: 12 }] } });

    vault.requests.length = 0;
    const anonymous = await graphql(graphqlUrl, query);
    // price is Float!, each item Item!: the null reaches the nullable list; the shelf's label stays.
    expect(anonymous.data).toEqual({ shelf: { label: 'A', items: null } });
    expect(anonymous.errors).toEqual([
      expect.objectContaining({ path: ['shelf', 'items', 'price'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);
    expect(vault.requests.map((request) => request.query)).not.toEqual(expect.arrayContaining([expect.stringContaining('price')]));

    // A refused non-null root field leaves nothing to answer with: data is null, and no subgraph is asked.
    vault.requests.length = 0;
    const root = await graphql(graphqlUrl, '{ code shelf { label } }');
    expect(root.data).toBeNull();
    expect(errorCodes(root)).toEqual(['UNAUTHENTICATED']);
    expect(vault.requests).toEqual([]);
  });

  it('follows fragments and aliases', async () => {
    const response = await graphql(graphqlUrl, '{ ...Mine items: products { name } } fragment Mine on Query { account: me { id } }');
    expect(response.data).toEqual({ items: [{ name: 'lamp' }, { name: 'desk' }], account: null });
    expect(response.errors![0]).toMatchObject({ path: ['account'], extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a field without the scope: it is null with FORBIDDEN at its path, and the subgraph is never asked', async () => {
    const token = await signUp('plain@example.com');
    const before = await usersFetches();
    const response = await graphql(graphqlUrl, '{ users(first: 5) { pageInfo { hasNextPage } } }', {}, bearer(token));
    expect(response.data).toEqual({ users: null });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.errors![0]).toMatchObject({ path: ['users'], extensions: { requiredScopes: [['admin']] } });
    expect(await usersFetches()).toBe(before);
  });

  it('lets an admin through, and holds an API key to its scopes', async () => {
    const token = await signUp('boss@example.com');
    const admin = await graphql<{ users: { edges: unknown[] } | null }>(
      graphqlUrl,
      '{ users(first: 5, after: null) { edges { node { email } } } }',
      {},
      bearer(token),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.users!.edges.length).toBeGreaterThan(0);

    const readOnly = (await execute(graphqlUrl, CreateApiKeyDocument, { name: 'reader', scopes: ['read'] }, bearer(token))).data!.createApiKey.secret;
    const withKey = await graphql(graphqlUrl, '{ me { email } users(first: 1) { pageInfo { hasNextPage } } }', {}, bearer(readOnly));
    expect(withKey.data).toEqual({ me: { email: 'boss@example.com' }, users: null });
    expect(errorCodes(withKey)).toEqual(['FORBIDDEN']);
    const meOnly = await graphql(graphqlUrl, '{ me { email } }', {}, bearer(readOnly));
    expect(meOnly.data).toEqual({ me: { email: 'boss@example.com' } });
  });
});
