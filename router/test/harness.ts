import type { PlatformConfig } from '@supergraph/config';
import type { RunningServer } from '@supergraph/server';
import { createTestDatabase, quietLogger, testConfig } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startRouter } from '../src/app';

/** The real router in front of a real users subgraph on a fresh Postgres database. */
export interface PlatformHarness {
  config: PlatformConfig;
  routerUrl: string;
  graphqlUrl: string;
  usersUrl: string;
  router: RunningServer;
  users: UsersSubgraph;
  stop(): Promise<void>;
}

export async function startPlatform(env: Record<string, string> = {}): Promise<PlatformHarness> {
  const database = await createTestDatabase('platform');
  const base = testConfig({ USERS_DATABASE_URL: database.url, ...env });
  const users = await startUsersSubgraph(base.config, quietLogger('users'));
  const usersUrl = `${users.url}/graphql`;
  const { config, cleanup } = testConfig({ USERS_DATABASE_URL: database.url, SUBGRAPH_USERS_URL: usersUrl, ...env });
  const router = await startRouter(config, quietLogger('router'));
  return {
    config,
    router,
    users,
    routerUrl: router.url,
    graphqlUrl: `${router.url}/graphql`,
    usersUrl,
    stop: async () => {
      await router.stop();
      await users.stop();
      await database.drop();
      base.cleanup();
      cleanup();
    },
  };
}
