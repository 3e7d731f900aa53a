import type { UsersServiceConfig } from '@supergraph/config';
import type { Identity } from '@supergraph/identity';
import { asRouter, countSqlStatements, HarnessStack, graphql, quietLogger, type GraphQLResponse, type UntypedData } from '@supergraph/testing';
import { startUsersSubgraph } from '../src/app';
import { openUsersDatabase, type UsersDatabase } from '../src/data/database';

/** A users subgraph on a fresh Postgres database, called directly the way the router calls it. */
export interface UsersHarness {
  config: UsersServiceConfig;
  url: string;
  /** A second connection to the same database, for asserting what was (not) written. */
  db: UsersDatabase;
  call<T = UntypedData>(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<GraphQLResponse<T>>;
  /** Runs `work` and counts the SQL statements the subgraph sent meanwhile. */
  countSqlStatements<T>(work: () => Promise<T>): Promise<{ result: T; count: number }>;
  stop(): Promise<void>;
}

export async function startUsersHarness(env: Record<string, string> = {}): Promise<UsersHarness> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const database = await stack.database('users');
    const config = stack.config('users', { USERS_DATABASE_URL: database.url, ...env });
    const server = await stack.add(startUsersSubgraph(config, quietLogger('users')));
    const connection = await openUsersDatabase({ url: database.url, dataDir: config.dataDir, logger: quietLogger('users') });
    stack.defer(() => connection.close());
    const url = `${server.url}/graphql`;
    return {
      config,
      url,
      db: connection,
      call: (query, variables = {}, identity = { kind: 'anonymous' }) => graphql(url, query, variables, asRouter(identity, config.routerSigningSecret)),
      countSqlStatements: (work) => countSqlStatements(server.database, work),
      stop: () => stack.stop(),
    };
  });
}

export function userIdentity(userId: string, roles: ('USER' | 'ADMIN')[] = ['USER'], scopes = ['*']): Identity {
  return { kind: 'user', userId, roles, tier: 'FREE', scopes, via: scopes.includes('*') ? 'jwt' : 'apiKey' };
}
