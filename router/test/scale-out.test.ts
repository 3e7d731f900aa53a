import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { LoginDocument, RegisterDocument, SetUserTierDocument } from '../../clients/generated/graphql';
import type { RunningServer } from '@supergraph/server';
import { bearer, createTestDatabase, execute, quietLogger, testConfig, type TestDatabase } from '@supergraph/testing';
import { startUsersSubgraph } from '@supergraph/users/src/app';
import { startRouter } from '../src/app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

/**
 * Two routers, each in front of its own users instance, sharing one database and one Redis:
 * what a horizontally scaled deployment looks like.
 */
describe('two router and two subgraph instances on one Redis', () => {
  let database: TestDatabase;
  const servers: RunningServer[] = [];
  const cleanups: (() => void)[] = [];
  const routerUrls: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('scaleout');
    for (let instance = 0; instance < 2; instance++) {
      const env = { USERS_DATABASE_URL: database.url, REDIS_URL, ADMIN_EMAILS: 'admin@example.com' };
      const usersConfig = testConfig('users', env);
      const users = await startUsersSubgraph(usersConfig.config, quietLogger('users'));
      const routerConfig = testConfig('router', { ...env, SUBGRAPH_USERS_URL: `${users.url}/graphql` });
      const router = await startRouter(routerConfig.config, quietLogger('router'));
      servers.push(router, users);
      cleanups.push(usersConfig.cleanup, routerConfig.cleanup);
      routerUrls.push(`${router.url}/graphql`);
    }
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
    for (const cleanup of cleanups) cleanup();
  });

  it('a mutation through one router reaches a subscriber held by the other', async () => {
    const [first, second] = routerUrls as [string, string];
    const password = 'a long enough password';
    const user = (await execute(first, RegisterDocument, { email: 'scaled@example.com', password })).data!.register;
    await execute(first, RegisterDocument, { email: 'admin@example.com', password });
    const admin = (await execute(second, LoginDocument, { email: 'admin@example.com', password })).data!.login;

    const client = createClient({ url: first.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(user.token), retryAttempts: 0 });
    try {
      const received = new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: 'subscription { accountUpdated { id tier } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const changed = await execute(second, SetUserTierDocument, { userId: user.user.id, tier: 'ENTERPRISE' }, bearer(admin.token));
      expect(changed.errors).toBeUndefined();
      expect(await received).toEqual({
        data: { accountUpdated: { id: user.user.id, tier: 'ENTERPRISE' } },
        extensions: { position: expect.stringMatching(/^\d+-\d+$/) },
      });
    } finally {
      await client.dispose();
    }
  });
});
