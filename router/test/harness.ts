import type { RouterServiceConfig } from '@supergraph/config';
import type { RunningServer } from '@supergraph/server';
import { HarnessStack, quietLogger } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startRouter } from '../src/app';
import { composeSupergraph, usersSdl } from './fleet';

/** The real router in front of a real users subgraph on a fresh Postgres database. */
export interface PlatformHarness {
  config: RouterServiceConfig;
  routerUrl: string;
  graphqlUrl: string;
  usersUrl: string;
  router: RunningServer;
  users: UsersSubgraph;
  stop(): Promise<void>;
}

export async function startPlatform(env: Record<string, string> = {}): Promise<PlatformHarness> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const database = await stack.database('platform');
    const users = await stack.add(startUsersSubgraph(stack.config('users', { USERS_DATABASE_URL: database.url, ...env }), quietLogger('users')));
    const usersUrl = `${users.url}/graphql`;
    // The router serves exactly the subgraphs started here, whatever else supergraph.yaml lists now.
    const supergraph = env.SUPERGRAPH_PATH ? undefined : composeSupergraph([{ name: 'users', url: usersUrl, sdl: usersSdl() }]);
    if (supergraph) stack.defer(supergraph.cleanup);
    // Tests send many requests from one address: rate limiting is off unless a test turns it on.
    const config = stack.config('router', {
      USERS_DATABASE_URL: database.url,
      SUBGRAPH_USERS_URL: usersUrl,
      RATE_LIMIT_PER_MINUTE: '0',
      ...(supergraph ? { SUPERGRAPH_PATH: supergraph.path } : {}),
      ...env,
    });
    const router = await stack.add(startRouter(config, quietLogger('router')));
    return { config, router, users, routerUrl: router.url, graphqlUrl: `${router.url}/graphql`, usersUrl, stop: () => stack.stop() };
  });
}
