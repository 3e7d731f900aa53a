import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { issueAccessToken } from '@supergraph/identity';
import type { RunningServer } from '@supergraph/server';
import { bearer, graphql, quietLogger, testConfig } from '@supergraph/testing';
import { startRouter } from '../src/app';
import { catalog, composeSupergraph, startFakeSubgraph, type FakeSubgraph } from './fleet';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
let catalogSubgraph: FakeSubgraph;
let profile: FakeSubgraph;
let routers: RunningServer[] = [];
const cleanups: (() => unknown)[] = [];
let tokenFor: (userId: string) => Promise<string>;

beforeAll(async () => {
  catalogSubgraph = await catalog();
  catalogSubgraph.cacheControl = 'public, max-age=60';
  // Answers with the caller's id, read from the identity the router forwards; says it is private.
  profile = await startFakeSubgraph(
    'profile',
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { whoami: String }',
    {
      Query: {
        whoami: (_: unknown, __: unknown, { headers }: { headers: IncomingHttpHeaders }) =>
          JSON.parse(Buffer.from(String(headers['x-supergraph-identity']), 'base64url').toString()).userId ?? 'anonymous',
      },
    } as GraphQLResolverMap<unknown>,
  );
  profile.cacheControl = 'private, max-age=60';
  const supergraph = composeSupergraph([catalogSubgraph, profile]);
  const { config, cleanup } = testConfig('router', { SUPERGRAPH_PATH: supergraph.path, REDIS_URL, RATE_LIMIT_PER_MINUTE: '0' });
  cleanups.push(supergraph.cleanup, cleanup);
  routers = [await startRouter(config, quietLogger('router')), await startRouter(config, quietLogger('router-2'))];
  tokenFor = async (userId) => (await issueAccessToken({ userId, roles: ['USER'], tier: 'FREE' }, config.jwt)).token;
});

afterAll(async () => {
  for (const router of routers) await router.stop();
  await catalogSubgraph?.stop();
  await profile?.stop();
  for (const cleanup of cleanups) cleanup();
});

const url = (i: number) => `${routers[i]!.url}/graphql`;

describe('response cache in Redis', () => {
  it('serves a public, cacheable query from the cache, on every instance, and exports the hit ratio', async () => {
    // A query text no earlier run cached.
    const query = `{ p${randomBytes(6).toString('hex')}: products { name } }`;
    const first = await graphql(url(0), query);
    expect(first.errors).toBeUndefined();
    const calls = catalogSubgraph.requests.length;
    const again = await graphql(url(1), query, {}, bearer(await tokenFor(randomUUID())));
    expect(again.data).toEqual(first.data);
    expect(catalogSubgraph.requests.length).toBe(calls);

    const metrics = await (await fetch(`${routers[1]!.url}/metrics`)).text();
    expect(metrics).toMatch(/router_response_cache_lookups_total\{result="hit"\} 1/);
    expect(metrics).toMatch(/router_response_cache_hit_ratio 1/);
    expect(await (await fetch(`${routers[0]!.url}/metrics`)).text()).toMatch(/router_response_cache_hit_ratio 0\n/);
  });

  it("never gives one user another user's data", async () => {
    const query = `{ w${randomBytes(6).toString('hex')}: whoami }`;
    const [alice, bob] = [randomUUID(), randomUUID()];
    const asAlice = await graphql(url(0), query, {}, bearer(await tokenFor(alice)));
    expect(Object.values(asAlice.data!)).toEqual([alice]);
    const asBob = await graphql(url(0), query, {}, bearer(await tokenFor(bob)));
    expect(Object.values(asBob.data!)).toEqual([bob]);
    const anonymous = await graphql(url(1), query);
    expect(Object.values(anonymous.data!)).toEqual(['anonymous']);
    expect(profile.requests.filter((request) => request.query.includes('whoami'))).toHaveLength(3);
  });

  it('does not cache a response when any subgraph it used gave no cache hint', async () => {
    const query = `{ m${randomBytes(6).toString('hex')}: products { name } whoami }`;
    profile.cacheControl = undefined;
    try {
      await graphql(url(0), query);
      const calls = catalogSubgraph.requests.length;
      await graphql(url(0), query);
      expect(catalogSubgraph.requests.length).toBe(calls + 1);
    } finally {
      profile.cacheControl = 'private, max-age=60';
    }
  });
});
