import type { UsersServiceConfig } from '@supergraph/config';
import type { Identity } from '@supergraph/identity';
import { asRouter, createTestDatabase, graphql, quietLogger, testConfig, type GraphQLResponse } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '../src/app';
import { openUsersDatabase, type UsersDatabase } from '../src/data/database';

/** A users subgraph on a fresh Postgres database, called directly the way the router calls it. */
export interface UsersHarness {
  config: UsersServiceConfig;
  url: string;
  /** A second connection to the same database, for asserting what was (not) written. */
  db: UsersDatabase;
  call<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<GraphQLResponse<T>>;
  /** Runs `work` and counts the SQL statements the subgraph sent meanwhile. */
  countSqlStatements<T>(work: () => Promise<T>): Promise<{ result: T; count: number }>;
  stop(): Promise<void>;
}

export async function startUsersHarness(env: Record<string, string> = {}): Promise<UsersHarness> {
  const database = await createTestDatabase('users');
  const { config, cleanup } = testConfig('users', { USERS_DATABASE_URL: database.url, ...env });
  let running: UsersSubgraph | undefined;
  let db: UsersDatabase | undefined;
  try {
    running = await startUsersSubgraph(config, quietLogger('users'));
    db = await openUsersDatabase({ url: database.url, dataDir: config.dataDir, logger: quietLogger('users') });
  } catch (error) {
    await running?.stop();
    await database.drop();
    throw error;
  }
  const url = `${running.url}/graphql`;
  const server = running;
  const connection = db;
  return {
    config,
    url,
    db: connection,
    call: (query, variables = {}, identity = { kind: 'anonymous' }) => graphql(url, query, variables, asRouter(identity, config.routerSigningSecret)),
    countSqlStatements: async (work) => {
      const before = server.database.sqlStatements();
      const result = await work();
      return { result, count: server.database.sqlStatements() - before };
    },
    stop: async () => {
      await server.stop();
      await connection.close();
      await database.drop();
      cleanup();
    },
  };
}

export function userIdentity(userId: string, roles: ('USER' | 'ADMIN')[] = ['USER'], scopes = ['*']): Identity {
  return { kind: 'user', userId, roles, tier: 'FREE', scopes, via: scopes.includes('*') ? 'jwt' : 'apiKey' };
}
